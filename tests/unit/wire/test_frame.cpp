// AGEN frame encode/decode and validation; name tables; agent types; UFP v3.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "agen_frame.h"
#include "agent_types.h"
#include "crc32c.h"
#include "ring_layout.h"

using namespace agen;

namespace {
AgenHeader sample() {
    AgenHeader h{};
    h.msg_type = uint32_t(MsgType::BROADCAST);
    h.priority = uint32_t(Priority::NORMAL);
    h.timestamp = 123456789012345ull;
    h.sequence = 42;
    h.source_agent = 1;
    h.target_count = 3;
    h.target_agents[0] = 2;
    h.target_agents[1] = 10;
    h.target_agents[2] = 28;
    h.payload_len = 5;
    return h;
}
}  // namespace

TEST_CASE("encode then decode round-trips every field") {
    std::vector<uint8_t> buf;
    const size_t n = encode_frame(sample(), "hello", buf);
    REQUIRE(n == kHeaderSize + 5);
    REQUIRE(buf.size() == n);
    CHECK(buf[0] == 0x4E);
    CHECK(buf[1] == 0x45);
    CHECK(buf[2] == 0x47);
    CHECK(buf[3] == 0x41);
    AgenHeader h;
    REQUIRE(decode_header(buf.data(), buf.size(), &h) == HeaderError::kOk);
    CHECK(h.magic == kMagic);
    CHECK(h.version == 1);
    CHECK(h.msg_type == uint32_t(MsgType::BROADCAST));
    CHECK(h.timestamp == 123456789012345ull);
    CHECK(h.sequence == 42);
    CHECK(h.target_count == 3);
    CHECK(h.target_agents[2] == 28);
    CHECK(h.payload_len == 5);
    CHECK(h.crc32 == crc32c(buf.data(), 108));
    CHECK(std::memcmp(buf.data() + kHeaderSize, "hello", 5) == 0);
    for (size_t i = 112; i < 168; ++i) CHECK(buf[i] == 0);
}

TEST_CASE("validation rejects bad frames") {
    AgenHeader h = sample();
    seal_header(h);
    REQUIRE(validate_header(h) == HeaderError::kOk);
    SUBCASE("bad magic") {
        h.magic = 0x12345678;
        CHECK(validate_header(h) == HeaderError::kBadMagic);
    }
    SUBCASE("bad version") {
        h.version = 2;
        h.crc32 = header_crc(h);
        CHECK(validate_header(h) == HeaderError::kBadVersion);
    }
    SUBCASE("bad crc") {
        h.sequence ^= 1;
        CHECK(validate_header(h) == HeaderError::kBadCrc);
    }
    SUBCASE("payload over 16 MiB") {
        h.payload_len = kMaxPayload + 1;
        h.crc32 = header_crc(h);
        CHECK(validate_header(h) == HeaderError::kPayloadTooLarge);
    }
    SUBCASE("payload of exactly 16 MiB is fine") {
        h.payload_len = kMaxPayload;
        h.crc32 = header_crc(h);
        CHECK(validate_header(h) == HeaderError::kOk);
    }
    SUBCASE("more than 16 targets") {
        h.target_count = 17;
        h.crc32 = header_crc(h);
        CHECK(validate_header(h) == HeaderError::kTooManyTargets);
    }
    SUBCASE("reserved bytes are outside the crc") {
        h.reserved[0] = 1;
        CHECK(validate_header(h) == HeaderError::kOk);
    }
}

TEST_CASE("decode of a short buffer is truncated") {
    std::vector<uint8_t> buf;
    encode_frame(sample(), "hello", buf);
    AgenHeader h;
    CHECK(decode_header(buf.data(), 167, &h) == HeaderError::kTruncated);
}

TEST_CASE("name tables") {
    CHECK(msg_type_name(1) == "REQUEST");
    CHECK(msg_type_name(15) == "EMERGENCY");
    CHECK(msg_type_name(0) == "UNKNOWN");
    CHECK(msg_type_name(16) == "UNKNOWN");
    CHECK(priority_name(0) == "CRITICAL");
    CHECK(priority_name(5) == "BACKGROUND");
    CHECK(priority_name(6) == "UNKNOWN");
    CHECK(parse_msg_type("RESOURCE_RESP") == MsgType::RESOURCE_RESP);
    CHECK_FALSE(parse_msg_type("NOPE").has_value());
}

TEST_CASE("agent ids map to the 28 types and their instances") {
    CHECK(agent_type_name(1) == "DIRECTOR");
    CHECK(agent_type_name(2) == "PROJECT_ORCHESTRATOR");
    CHECK(agent_type_name(28) == "ARCHITECT");
    CHECK(agent_type_name(29) == "DIRECTOR");
    CHECK(agent_instance_of(29) == 1);
    CHECK(agent_name(29) == "DIRECTOR_1");
    CHECK(agent_name(10) == "MONITOR");
    CHECK(agent_type_of(56) == 28);
}

TEST_CASE("ring control block sizes") {
    CHECK(ring_record_size(168) == 168);
    CHECK(ring_record_size(169) == 176);
    CHECK(ring_record_size(232) == 232);
}

TEST_CASE("UFP v3 header crc covers bytes 0..23") {
    UfpV3Header u{};
    u.magic = kUfpMagic;
    u.version = kUfpVersion;
    u.payload_len = 10;
    const uint32_t c = ufp_header_crc(u);
    u.crc32 = 7;
    u.reserved[0] = 9;
    CHECK(ufp_header_crc(u) == c);
    u.payload_len = 11;
    CHECK(ufp_header_crc(u) != c);
}
