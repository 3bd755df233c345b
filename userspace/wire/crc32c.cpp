#include "crc32c.h"

#include <array>
#include <cstring>

namespace agen {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

// Slicing-by-8 tables: the software path still does ~1 byte per cycle.
constexpr std::array<std::array<uint32_t, 256>, 8> make_tables() {
    std::array<std::array<uint32_t, 256>, 8> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
        t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
        for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
    return t;
}
constexpr auto kTables = make_tables();

bool detect_hw() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}
const bool kHasHw = detect_hw();

}  // namespace

uint32_t crc32c_sw(const void* data, size_t len, uint32_t crc) {
    auto p = static_cast<const unsigned char*>(data);
    uint32_t c = ~crc;
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        w ^= c;
        c = kTables[7][w & 0xFF] ^ kTables[6][(w >> 8) & 0xFF] ^ kTables[5][(w >> 16) & 0xFF] ^
            kTables[4][(w >> 24) & 0xFF] ^ kTables[3][(w >> 32) & 0xFF] ^
            kTables[2][(w >> 40) & 0xFF] ^ kTables[1][(w >> 48) & 0xFF] ^ kTables[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFF];
    return ~c;
}

__attribute__((target("sse4.2"))) uint32_t crc32c_hw(const void* data, size_t len, uint32_t crc) {
    auto p = static_cast<const unsigned char*>(data);
    uint64_t c = ~crc;
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = static_cast<uint32_t>(c);
    if (len >= 4) {
        uint32_t w;
        std::memcpy(&w, p, 4);
        c32 = __builtin_ia32_crc32si(c32, w);
        p += 4;
        len -= 4;
    }
    while (len--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}

bool crc32c_hw_available() { return kHasHw; }

uint32_t crc32c(const void* data, size_t len, uint32_t crc) {
    return kHasHw ? crc32c_hw(data, len, crc) : crc32c_sw(data, len, crc);
}

}  // namespace agen
