// parse_ring_mappings on /proc/<pid>/maps text: only whole-file mappings (offset 0,
// at least a page) of paths under the ring prefix count; " (deleted)" is recognised
// and stripped; addresses, device and inode are parsed; the label is the file name.
#include <doctest/doctest.h>

#include "model/ring_mappings.h"

using namespace agentmon;

namespace {

constexpr const char* kPrefix = "/dev/shm/agent_ring_";

// The one ring mapping `maps` holds.
RingMapping one_ring(const std::string& maps) {
    const auto rings = parse_ring_mappings(maps, kPrefix);
    REQUIRE(rings.size() == 1);
    return rings[0];
}

}  // namespace

TEST_CASE("ring mappings: a normal line gives the range, identity and file name") {
    const RingMapping ring = one_ring(
        "7f12a0000000-7f12a0101000 rw-s 00000000 00:1a 12345                      "
        "/dev/shm/agent_ring_bus_100_0\n");
    CHECK(ring.name == "agent_ring_bus_100_0");
    CHECK(ring.start == 0x7f12a0000000ull);
    CHECK(ring.end == 0x7f12a0101000ull);
    CHECK(ring.device == 0x1aull);  // major 0 << 32 | minor 0x1a
    CHECK(ring.inode == 12345);
    CHECK_FALSE(ring.deleted);
}

TEST_CASE("ring mappings: an unlinked file keeps its name without \" (deleted)\"") {
    const RingMapping ring = one_ring(
        "7f0000000000-7f0000002000 rw-s 00000000 00:1a 777  /dev/shm/agent_ring_bus_7_3 "
        "(deleted)\n");
    CHECK(ring.name == "agent_ring_bus_7_3");
    CHECK(ring.deleted);
    CHECK(ring.inode == 777);
    CHECK(ring.end - ring.start == 0x2000);
}

TEST_CASE("ring mappings: a mapping that does not start at the file's start is ignored") {
    CHECK(parse_ring_mappings(
              "7f0000000000-7f0000010000 rw-s 00001000 00:1a 5 /dev/shm/agent_ring_a\n", kPrefix)
              .empty());
    // The same file mapped twice: only the offset-0 mapping is a ring.
    const auto rings = parse_ring_mappings(
        "7f0000000000-7f0000010000 rw-s 00001000 00:1a 5 /dev/shm/agent_ring_a\n"
        "7f1000000000-7f1000011000 rw-s 00000000 00:1a 5 /dev/shm/agent_ring_a\n",
        kPrefix);
    REQUIRE(rings.size() == 1);
    CHECK(rings[0].start == 0x7f1000000000ull);
}

TEST_CASE("ring mappings: other paths, anonymous mappings and malformed lines are ignored") {
    const auto rings = parse_ring_mappings(
        "55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0                          [heap]\n"
        "7f0000000000-7f0000100000 r-xp 00000000 fd:01 4242 /usr/lib/libc.so.6\n"
        "7f0000200000-7f0000210000 rw-s 00000000 00:1a 99 /dev/shm/other_ring_1\n"
        "7f0000300000-7f0000310000 rw-s 00000000 00:1a 98 /tmp/dev/shm/agent_ring_x\n"
        "7f0000400000-7f0000410000 rw-p 00000000 00:00 0\n"
        "zzzz-7f0000510000 rw-s 00000000 00:1a 97 /dev/shm/agent_ring_bad_range\n"
        "7f0000600000-7f0000610000 rw-s 00000000 001a 96 /dev/shm/agent_ring_bad_device\n"
        "7f0000700000-7f0000710000 rw-s 00000000 00:1a x96 /dev/shm/agent_ring_bad_inode\n"
        "\n"
        "7f0000800000-7f0000810000 rw-s 00000000 00:1a 95 /dev/shm/agent_ring_good",  // no \n
        kPrefix);
    REQUIRE(rings.size() == 1);
    CHECK(rings[0].name == "agent_ring_good");
    CHECK(rings[0].inode == 95);
    CHECK(parse_ring_mappings("", kPrefix).empty());
}

TEST_CASE("ring mappings: a mapping shorter than a page cannot hold the control block") {
    CHECK(
        parse_ring_mappings(
            "7f0000000000-7f0000000fff rw-s 00000000 00:1a 5 /dev/shm/agent_ring_short\n", kPrefix)
            .empty());
    // Exactly one page is enough for the control block.
    CHECK(parse_ring_mappings(
              "7f0000000000-7f0000001000 rw-s 00000000 00:1a 5 /dev/shm/agent_ring_page\n", kPrefix)
              .size() == 1);
}

TEST_CASE("ring mappings: device major and minor are hex; they and the inode tell files apart") {
    const auto rings = parse_ring_mappings(
        "7f0000000000-7f0000010000 rw-s 00000000 fd:01 9876543210 /dev/shm/agent_ring_a\n"
        "7f0000100000-7f0000110000 rw-s 00000000 00:1b 9876543210 /dev/shm/agent_ring_a\n"
        "7f0000200000-7f0000210000 rw-s 00000000 103:0a 18446744073709551615 "
        "/dev/shm/agent_ring_b\n",
        kPrefix);
    REQUIRE(rings.size() == 3);
    CHECK(rings[0].device == (0xfdull << 32 | 0x01));
    CHECK(rings[1].device == 0x1bull);
    CHECK(rings[0].device != rings[1].device);
    CHECK(rings[0].inode == 9876543210ull);
    CHECK(rings[1].inode == 9876543210ull);
    CHECK(rings[2].device == (0x103ull << 32 | 0x0a));
    CHECK(rings[2].inode == 18446744073709551615ull);
}

TEST_CASE("ring mappings: every ring under the prefix, in order; the name drops the directory") {
    const auto rings = parse_ring_mappings(
        "7f0000000000-7f0000010000 rw-s 00000000 00:1a 1 /dev/shm/agent_ring_bus_10_0\n"
        "7f0000100000-7f0000110000 rw-s 00000000 00:1a 2 /dev/shm/agent_ring_bus_10_1\n"
        "7f0000200000-7f0000210000 rw-s 00000000 00:1a 3 /run/bus/ring_alpha\n",
        kPrefix);
    REQUIRE(rings.size() == 2);
    CHECK(rings[0].name == "agent_ring_bus_10_0");
    CHECK(rings[1].name == "agent_ring_bus_10_1");
    CHECK(rings[1].inode == 2);

    // Another prefix (config ring_path.file_prefix) selects other files.
    const auto other = parse_ring_mappings(
        "7f0000000000-7f0000010000 rw-s 00000000 00:1a 1 /dev/shm/agent_ring_bus_10_0\n"
        "7f0000200000-7f0000210000 rw-s 00000000 00:1a 3 /run/bus/ring_alpha (deleted)\n",
        "/run/bus/ring_");
    REQUIRE(other.size() == 1);
    CHECK(other[0].name == "ring_alpha");
    CHECK(other[0].deleted);
    CHECK(other[0].inode == 3);
}
