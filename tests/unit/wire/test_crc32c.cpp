// CRC32C against published check values (RFC 3720 appendix B.4 and the
// usual "123456789" check), and hardware against software on random input.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "crc32c.h"

using agen::crc32c;
using agen::crc32c_hw;
using agen::crc32c_hw_available;
using agen::crc32c_sw;

TEST_CASE("crc32c of \"123456789\" is the Castagnoli check value") {
    const char* s = "123456789";
    CHECK(crc32c_sw(s, 9) == 0xE3069283u);
    CHECK(crc32c(s, 9) == 0xE3069283u);
}

TEST_CASE("crc32c matches the RFC 3720 B.4 vectors") {
    uint8_t buf[32];
    std::memset(buf, 0, sizeof buf);
    CHECK(crc32c_sw(buf, 32) == 0x8A9136AAu);
    CHECK(crc32c(buf, 32) == 0x8A9136AAu);
    std::memset(buf, 0xFF, sizeof buf);
    CHECK(crc32c_sw(buf, 32) == 0x62A8AB43u);
    CHECK(crc32c(buf, 32) == 0x62A8AB43u);
    for (int i = 0; i < 32; ++i) buf[i] = uint8_t(i);
    CHECK(crc32c_sw(buf, 32) == 0x46DD794Eu);
    CHECK(crc32c(buf, 32) == 0x46DD794Eu);
    for (int i = 0; i < 32; ++i) buf[i] = uint8_t(31 - i);
    CHECK(crc32c(buf, 32) == 0x113FDB5Cu);
}

TEST_CASE("crc32c of nothing is 0") { CHECK(crc32c("", 0) == 0u); }

TEST_CASE("crc32c extends: crc(a ++ b) == crc(b, crc(a))") {
    const char* s = "123456789";
    CHECK(crc32c(s + 4, 5, crc32c(s, 4)) == 0xE3069283u);
    CHECK(crc32c_sw(s + 1, 8, crc32c_sw(s, 1)) == 0xE3069283u);
}

TEST_CASE("hardware and software crc32c agree on random buffers") {
    if (!crc32c_hw_available()) {
        MESSAGE("no SSE4.2 on this CPU: hardware path not tested");
        return;
    }
    std::mt19937_64 rng(42);
    std::vector<uint8_t> buf(4096 + 7);
    for (auto& b : buf) b = uint8_t(rng());
    for (int round = 0; round < 500; ++round) {
        const size_t off = rng() % 8;
        const size_t len = rng() % (buf.size() - off);
        const uint32_t seed = round % 2 ? uint32_t(rng()) : 0;
        REQUIRE(crc32c_hw(buf.data() + off, len, seed) == crc32c_sw(buf.data() + off, len, seed));
    }
}
