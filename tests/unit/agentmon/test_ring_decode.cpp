// decode_ring: the control block, exact deltas from the cursor, depth and
// head-of-line age.
#include "ring_decode_fixture.h"

TEST_CASE("ring decode: the control block's fields are read at their documented offsets") {
    std::vector<std::uint8_t> bytes(RING_CONTROL_BYTES, 0xEE);
    put<std::uint64_t>(&bytes[0], 0x1122334455667788ull);
    put<std::uint64_t>(&bytes[64], 0x1122334455660000ull);
    put<std::uint32_t>(&bytes[128], 1u << 20);
    put<std::uint32_t>(&bytes[132], (1u << 20) - 1);
    put<std::uint32_t>(&bytes[136], 7);
    put<std::uint32_t>(&bytes[140], 35);
    put<std::uint64_t>(&bytes[192], 1001);
    put<std::uint64_t>(&bytes[200], 2002);
    put<std::uint64_t>(&bytes[256], 3003);
    put<std::uint64_t>(&bytes[264], 4004);
    const RingControlBlock c = parse_control_block(bytes.data());
    CHECK(c.head == 0x1122334455667788ull);
    CHECK(c.tail == 0x1122334455660000ull);
    CHECK(c.size == 1u << 20);
    CHECK(c.mask == (1u << 20) - 1);
    CHECK(c.producer == 7);
    CHECK(c.consumer == 35);
    CHECK(c.msgs_written == 1001);
    CHECK(c.bytes_written == 2002);
    CHECK(c.msgs_read == 3003);
    CHECK(c.bytes_read == 4004);
}

TEST_CASE("ring decode: exact deltas from the cursor; the first read counts everything") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 5; ++i) ring.push({.payload = 100});  // 268 bytes each
    ring.pop(2);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    REQUIRE(first.error.empty());
    check_counts(first, {5, 5 * 268, 2, 2 * 268});
    CHECK(first.after.head == 5 * 272);
    CHECK(first.after.tail == 2 * 272);
    CHECK(first.after.msgs_written == 5);
    CHECK(first.after.bytes_written == 5 * 268);
    CHECK(first.after.msgs_read == 2);
    CHECK(first.after.bytes_read == 2 * 268);
    CHECK(first.after.read_ns == 1000);

    for (int i = 0; i < 3; ++i) ring.push({.payload = 32});  // 200 bytes each
    ring.pop(4);                                             // three of 268, one of 200
    const RingTick second = decode_ring(read_of(ring, 2000, {}), first.after, kSpec);
    REQUIRE(second.error.empty());
    check_counts(second, {3, 600, 4, 3 * 268 + 200});
    CHECK(second.after.msgs_written == 8);
    CHECK(second.after.msgs_read == 6);
    CHECK(second.after.head == 5 * 272 + 3 * 200);
    CHECK(second.after.tail == 5 * 272 + 200);
    CHECK(second.after.read_ns == 2000);

    // Nothing happened: zero deltas.
    const RingTick idle = decode_ring(read_of(ring, 3000, {}), second.after, kSpec);
    CHECK(idle.error.empty());
    check_counts(idle, {0, 0, 0, 0});
    CHECK(idle.written_sample.empty());
    CHECK(idle.read_sample.empty());
}

TEST_CASE("ring decode: a first read of a ring with history counts it all, pads excluded") {
    TestRing ring(4096);
    // 400-byte records: ten fit a lap, the eleventh needs a 96-byte pad first.
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 7; ++i) ring.push({.payload = 232});
        ring.pop(7);
    }
    ring.push({.payload = 232});
    REQUIRE(ring.head() > ring.size());  // wrapped with a pad
    const RingTick tick = decode_ring(read_of(ring, 50, {}), RingCursor{}, kSpec);
    REQUIRE(tick.error.empty());
    check_counts(tick, {22, 22 * 400, 21, 21 * 400});
    CHECK(tick.depth_frames == 1);
    CHECK(tick.depth_bytes == 400);
}

TEST_CASE("ring decode: depth in frames and in unpadded bytes") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 5; ++i) ring.push({.payload = 101});  // 269 bytes, 272 with padding
    ring.pop(2);
    const RingTick tick = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    CHECK(tick.depth_frames == 3);
    CHECK(tick.depth_bytes == 3 * 269);  // not head - tail (816)
    ring.pop(3);
    const RingTick drained = decode_ring(read_of(ring, 2000, {}), tick.after, kSpec);
    CHECK(drained.depth_frames == 0);
    CHECK(drained.depth_bytes == 0);
}

TEST_CASE("ring decode: head-of-line age is the read time minus the oldest waiting header") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 1'000'000});
    ring.push({.timestamp = 4'000'000});
    ring.push({.timestamp = 7'000'000});
    ring.pop(1);
    const RingTick tick = decode_ring(read_of(ring, 9'500'000, {}), RingCursor{}, kSpec);
    REQUIRE(tick.hol_age_ns.has_value());
    CHECK(*tick.hol_age_ns == 5'500'000);  // the second frame's
    CHECK(tick.bad_records == 0);

    // A header stamped after the read (clocks of two processes): age 0, not huge.
    const RingTick early = decode_ring(read_of(ring, 3'000'000, {}), RingCursor{}, kSpec);
    REQUIRE(early.hol_age_ns.has_value());
    CHECK(*early.hol_age_ns == 0);

    // Empty: no frame waits, no age.
    ring.pop(2);
    const RingTick empty = decode_ring(read_of(ring, 9'600'000, {}), tick.after, kSpec);
    CHECK_FALSE(empty.hol_age_ns.has_value());
    CHECK(empty.depth_frames == 0);
    const RingTick fresh = decode_ring(read_of(TestRing(4096), 10, {}), RingCursor{}, kSpec);
    CHECK_FALSE(fresh.hol_age_ns.has_value());
    CHECK(fresh.written_frames == 0);
}

TEST_CASE("ring decode: the oldest waiting frame behind a pad is found at the data start") {
    TestRing ring(4096);
    for (int i = 0; i < 10; ++i) ring.push({.timestamp = 100, .payload = 232});  // 0 .. 4000
    ring.pop(10);  // tail at 4000, where the pad will go
    ring.push({.timestamp = 600, .payload = 232});
    REQUIRE(ring.head() == 4096 + 400);
    REQUIRE(ring.tail() == 4000);
    RingRead read = read_of(ring, 1000, {});
    REQUIRE(read.hol_position == std::optional<std::uint64_t>(4096));
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    REQUIRE(tick.hol_age_ns.has_value());
    CHECK(*tick.hol_age_ns == 400);
}

TEST_CASE("ring decode: a header at the tail that is no frame counts as a bad record") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 5});
    RingRead read = read_of(ring, 100, {});
    put<std::uint32_t>(read.hol.data(), 0xDEADBEEF);
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    CHECK_FALSE(tick.hol_age_ns.has_value());
    CHECK(tick.bad_records == 1);
    CHECK(tick.written_frames == 1);  // the counts do not depend on the records
}

// Found writing fuzz_ring_records (its UBSan build reports the float-to-integer
// overflow on the seed regress-fraction-overflow): a frame claiming
// 16 MiB at the old tail, with the tail 8 bytes on, put the frame's end 2 million
// times past the tail's progress, and the consumption time past 2^64 ns.
TEST_CASE("ring decode: a frame longer than the tail's progress is consumed within the tick") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 1});
    put<std::uint32_t>(ring.at(0) + 104, 16u << 20);  // the claim; its bytes are not there
    // Read at 2^62 + 1 ns: the tick spans 2^62 ns since the frame was sent at 1,
    // exactly representable as a double.
    RingRead read = read_of(ring, (std::uint64_t{1} << 62) + 1, {{0, 4096}});
    read.control.tail = 8;
    read.control.msgs_read = 1;
    read.control.bytes_read = 8;
    read.control.size = read.control.mask = 1u << 31;
    read.control.mask -= 1;
    read.control.head = read.head_after = (16u << 20) + 176;
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    REQUIRE(tick.read_sample.size() == 1);
    CHECK(tick.read_sample[0].latency_ns == std::uint64_t{1} << 62);  // consumed by the read
}
