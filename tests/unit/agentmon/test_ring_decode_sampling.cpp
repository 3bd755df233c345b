// decode_ring: sample windows (end to end, across pads and the wrap, torn or
// mid-record), bad records, unusable reads, latency estimates.
#include <tuple>

#include "ring_decode_fixture.h"

TEST_CASE("ring decode: windows laid end to end from the last tail sample every record") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> old_frames, new_frames;
    for (int i = 0; i < 3; ++i) old_frames.push_back(ring.push({.payload = 232}));
    ring.pop(1);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    // 400-byte records and 4 KiB windows from 400: the first window ends 96 bytes
    // into the header of the record at 4400, others end inside payloads.
    for (int i = 0; i < 40; ++i)
        new_frames.push_back(ring.push({.msg_type = 2, .priority = 1, .payload = 232}));
    ring.pop(30);
    const RingRead read = read_of(ring, 2000, end_to_end(ring, first.after.tail, ring.head()));
    REQUIRE(read.windows.size() == 5);
    const RingTick tick = decode_ring(read, first.after, kSpec);
    REQUIRE(tick.error.empty());
    CHECK(tick.bad_records == 0);
    CHECK(tick.torn_windows == 0);

    std::vector<std::uint64_t> read_expected = {old_frames[1], old_frames[2]};
    read_expected.insert(read_expected.end(), new_frames.begin(), new_frames.begin() + 28);
    CHECK(positions(tick.read_sample) == read_expected);
    CHECK(tick.read_sample.size() == tick.read_frames);
    CHECK(positions(tick.written_sample) == new_frames);
    CHECK(tick.written_sample.size() == tick.written_frames);
    // Every written frame as pushed: type 2, priority 1, 1 -> 3, 400 bytes, no latency.
    for (const auto& f : tick.written_sample)
        CHECK(std::tie(f.msg_type, f.priority, f.source, f.target, f.bytes, f.latency_ns) ==
              std::make_tuple(2u, 1u, 1u, 3u, std::uint64_t{400}, std::uint64_t{0}));
}

TEST_CASE("ring decode: every record is sampled across a pad and the wrap") {
    TestRing ring(4096, /*producer=*/2);
    for (int i = 0; i < 8; ++i) ring.push({.payload = 232});
    ring.pop(8);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 6; ++i) frames.push_back(ring.push({.source = 2, .payload = 232}));
    ring.pop(6);
    // 3200, 3600, pad at 4000, then 4096, 4496, 4896, 5296.
    REQUIRE(frames == std::vector<std::uint64_t>{3200, 3600, 4096, 4496, 4896, 5296});
    const Windows windows = end_to_end(ring, first.after.tail, ring.head());
    REQUIRE(windows == Windows{{3200, 896}, {4096, 1600}});
    const RingTick tick = decode_ring(read_of(ring, 2000, windows), first.after, kSpec);
    CHECK(tick.bad_records == 0);
    CHECK(positions(tick.read_sample) == frames);
    CHECK(positions(tick.written_sample) == frames);
    CHECK(tick.read_frames == 6);
    for (const auto& f : tick.read_sample) CHECK(f.source == 2);

    // The windows' order does not matter: they are walked by position.
    const RingTick reversed =
        decode_ring(read_of(ring, 2000, {windows[1], windows[0]}), first.after, kSpec);
    CHECK(positions(reversed.read_sample) == frames);
}

TEST_CASE("ring decode: a window starting mid-record resynchronises and invents no frame") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 6; ++i) frames.push_back(ring.push({.payload = 400}));  // 568 bytes
    // A fake header inside the first payload whose successor is not a record: not a
    // boundary.
    std::uint8_t* fake = ring.at(frames[0] + kHeaderBytes + 8);
    std::memset(fake, 0, kHeaderBytes);
    put<std::uint32_t>(fake, kAgenMagic);
    put<std::uint32_t>(fake + 36, 1);
    ring.pop(6);

    // Starting inside the first record's header, and inside its payload before the
    // fake header: the first whole record after the start is the next boundary.
    for (std::uint64_t start : {std::uint64_t{8}, std::uint64_t{kHeaderBytes}}) {
        CAPTURE(start);
        const RingTick tick =
            decode_ring(read_of(ring, 1000, {{frames[0] + start, 4096}}), RingCursor{}, kSpec);
        CHECK(positions(tick.read_sample) ==
              std::vector<std::uint64_t>(frames.begin() + 1, frames.end()));
        CHECK(tick.bad_records == 0);
        CHECK(tick.read_frames == 6);
    }
    // Starting inside the third record's payload.
    const RingTick tick =
        decode_ring(read_of(ring, 1000, {{frames[2] + 200, 4096}}), RingCursor{}, kSpec);
    CHECK(positions(tick.read_sample) ==
          std::vector<std::uint64_t>(frames.begin() + 3, frames.end()));
}

TEST_CASE("ring decode: a bad record is counted and the walk resynchronises after it") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 6; ++i) frames.push_back(ring.push({.payload = 100}));
    ring.pop(6);

    SUBCASE("bad magic") { put<std::uint32_t>(ring.at(frames[2]), 0x12345678); }
    SUBCASE("payload above max_payload") {
        put<std::uint32_t>(ring.at(frames[2]) + 104, (16u << 20) + 1);
    }
    SUBCASE("too many targets") { put<std::uint32_t>(ring.at(frames[2]) + 36, 17); }
    const RingTick tick =
        decode_ring(read_of(ring, 1000, end_to_end(ring, 0, ring.head())), RingCursor{}, kSpec);
    CHECK(tick.bad_records == 1);
    CHECK(positions(tick.read_sample) ==
          std::vector<std::uint64_t>{frames[0], frames[1], frames[3], frames[4], frames[5]});
    CHECK(tick.read_frames == 6);  // exact counts come from the counters
}

TEST_CASE("ring decode: a frame larger than the ring is a bad record") {
    TestRing ring(8192);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 4; ++i) frames.push_back(ring.push({.payload = 100}));
    ring.pop(4);
    put<std::uint32_t>(ring.at(frames[1]) + 104, 8192);  // 168 + 8192 > 8192
    const RingTick tick = decode_ring(read_of(ring, 1000, {{0, 4096}}), RingCursor{}, kSpec);
    CHECK(tick.bad_records == 1);
    CHECK(positions(tick.read_sample) ==
          std::vector<std::uint64_t>{frames[0], frames[2], frames[3]});
}

TEST_CASE("ring decode: a window the producer may have overwritten is dropped and counted") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 25; ++i) frames.push_back(ring.push({.payload = 232}));  // to 10000
    ring.pop(25);
    RingRead read = read_of(ring, 1000, {{0, 4096}, {4096, 4096}, {8192, 4096}});
    REQUIRE(read.windows.size() == 3);
    // head moved past 0 + size while the windows were copied: the first is suspect.
    read.head_after = (1 << 16) + 8;
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    CHECK(tick.torn_windows == 1);
    // The second window starts inside the record at 4000 and resynchronises at 4400;
    // nothing from the first window is sampled.
    std::vector<std::uint64_t> expected;
    for (std::uint64_t p : frames)
        if (p >= 4400) expected.push_back(p);
    CHECK(positions(tick.read_sample) == expected);

    // At exactly position + size nothing of the window was overwritten yet.
    read.head_after = 1 << 16;
    const RingTick intact = decode_ring(read, RingCursor{}, kSpec);
    CHECK(intact.torn_windows == 0);
    CHECK(positions(intact.read_sample).front() == 0);
}

TEST_CASE("ring decode: an unusable read is an error; no counts, the cursor stays") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 4; ++i) ring.push({.payload = 8});
    ring.pop(1);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    for (int i = 0; i < 4; ++i) ring.push({.payload = 8});
    ring.pop(5);

    const std::pair<std::uint32_t, const char*> cases[] = {
        {RING_READ_CONTROL_FAILED, "RING_UNREADABLE"},
        {RING_READ_BAD_SIZE, "RING_BAD_SIZE"},
        {RING_READ_TRUNCATED, "RING_TRUNCATED"},
        {RING_READ_TAIL_AHEAD, "RING_TAIL_AHEAD"},
    };
    for (const auto& [status, error] : cases) {
        CAPTURE(status);
        RingRead read = read_of(ring, 2000, end_to_end(ring, first.after.tail, ring.head()));
        read.status = status;
        const RingTick tick = decode_ring(read, first.after, kSpec);
        CHECK(tick.error == error);
        check_counts(tick, {0, 0, 0, 0});
        CHECK(tick.depth_frames == 0);
        CHECK(tick.depth_bytes == 0);
        CHECK_FALSE(tick.hol_age_ns.has_value());
        CHECK(tick.written_sample.empty());
        CHECK(tick.read_sample.empty());
        CHECK(same_cursor(tick.after, first.after));
    }
    // Once readable again the deltas are measured from the old cursor: nothing lost.
    const RingTick ok = decode_ring(
        read_of(ring, 3000, end_to_end(ring, first.after.tail, ring.head())), first.after, kSpec);
    CHECK(ok.error.empty());
    CHECK(ok.written_frames == 4);
    CHECK(ok.read_frames == 5);
}

TEST_CASE("ring decode: counters that go backwards are an error, not a huge delta") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 4; ++i) ring.push({});
    ring.pop(2);
    const RingRead read = read_of(ring, 5000, {});
    const RingTick base = decode_ring(read, RingCursor{}, kSpec);
    REQUIRE(base.error.empty());

    RingCursor before = base.after;
    before.read_ns = 4000;
    SUBCASE("msgs_written") { before.msgs_written += 1; }
    SUBCASE("bytes_written") { before.bytes_written += 1; }
    SUBCASE("msgs_read") { before.msgs_read += 1; }
    SUBCASE("bytes_read") { before.bytes_read += 1; }
    SUBCASE("head") { before.head += 8; }
    SUBCASE("tail") { before.tail += 8; }
    const RingTick tick = decode_ring(read, before, kSpec);
    CHECK(tick.error == "RING_COUNTERS_BACKWARDS");
    CHECK(tick.written_frames == 0);
    CHECK(tick.read_frames == 0);
    CHECK(tick.depth_frames == 0);
    CHECK(same_cursor(tick.after, before));
}

TEST_CASE("ring decode: more frames read than written is an error") {
    TestRing ring(1 << 16);
    ring.push({});
    RingRead read = read_of(ring, 5000, {});
    read.control.msgs_read = 2;
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    CHECK(tick.error == "RING_COUNTERS_BACKWARDS");
    CHECK(tick.depth_frames == 0);
    CHECK(same_cursor(tick.after, RingCursor{}));
}

TEST_CASE("ring decode: read and written samples by position; latency estimated in order") {
    TestRing ring(1 << 16);
    // Tick 1 at 1 ms: A and B written, A read.
    const std::uint64_t a = ring.push({.timestamp = 100});
    const std::uint64_t b = ring.push({.timestamp = 200});
    ring.pop(1);
    const RingTick first =
        decode_ring(read_of(ring, 1'000'000, end_to_end(ring, 0, ring.head())), {}, kSpec);
    CHECK(positions(first.written_sample) == std::vector<std::uint64_t>{a, b});
    CHECK(positions(first.read_sample) == std::vector<std::uint64_t>{a});

    // Tick 2 at 2 ms: C and D written, B and C read. Equal sizes: B is placed half
    // way through the interval (1.5 ms), C at its end (2 ms).
    const std::uint64_t c = ring.push({.timestamp = 1'500'000});
    const std::uint64_t d = ring.push({.timestamp = 1'600'000});
    ring.pop(2);
    const RingTick second =
        decode_ring(read_of(ring, 2'000'000, end_to_end(ring, first.after.tail, ring.head())),
                    first.after, kSpec);
    REQUIRE(second.error.empty());
    CHECK(positions(second.read_sample) == std::vector<std::uint64_t>{b, c});
    CHECK(positions(second.written_sample) == std::vector<std::uint64_t>{c, d});
    REQUIRE(second.read_sample.size() == 2);
    CHECK(second.read_sample[0].latency_ns == 1'500'000 - 200);
    CHECK(second.read_sample[1].latency_ns == 2'000'000 - 1'500'000);
    for (const auto& f : second.written_sample) CHECK(f.latency_ns == 0);
}

TEST_CASE("ring decode: latency estimates are never negative nor above read time - timestamp") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 10});
    const RingTick first = decode_ring(read_of(ring, 1'000'000, {}), RingCursor{}, kSpec);
    // B's estimated consumption (1.5 ms) is before it was sent (1.7 ms): 0, not negative.
    std::vector<std::uint64_t> sent = {1'700'000, 1'900'000};
    for (std::uint64_t ts : sent) ring.push({.timestamp = ts});
    ring.pop(3);
    const RingTick tick =
        decode_ring(read_of(ring, 2'000'000, end_to_end(ring, first.after.tail, ring.head())),
                    first.after, kSpec);
    REQUIRE(tick.read_sample.size() == 3);
    CHECK(tick.read_sample[0].latency_ns == 1'333'333 - 10);  // a third of the way
    CHECK(tick.read_sample[1].latency_ns == 0);
    CHECK(tick.read_sample[2].latency_ns == 2'000'000 - 1'900'000);

    // Many frames, irregular timestamps: every estimate within [0, read_ns - ts].
    TestRing busy(1 << 16);
    std::uint64_t ts = 1000;
    for (int i = 0; i < 60; ++i) busy.push({.timestamp = ts += (i * 7919) % 10'000});
    busy.pop(45);
    const RingTick many =
        decode_ring(read_of(busy, 900'000, end_to_end(busy, 0, busy.head())), RingCursor{}, kSpec);
    REQUIRE(many.read_sample.size() == 45);
    for (const auto& f : many.read_sample) {
        std::uint64_t stamp = 0;
        std::memcpy(&stamp, busy.at(f.position) + 16, sizeof stamp);
        CAPTURE(f.position);
        CHECK(f.latency_ns <= 900'000 - stamp);
    }
}

TEST_CASE("ring decode: the first read places consumption from the oldest sampled frame on") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 1000});
    ring.push({.timestamp = 3000});
    ring.pop(2);
    const RingTick tick =
        decode_ring(read_of(ring, 5000, end_to_end(ring, 0, ring.head())), RingCursor{}, kSpec);
    REQUIRE(tick.read_sample.size() == 2);
    // Interval [1000, 5000]: the first frame half way (3000), the second at 5000.
    CHECK(tick.read_sample[0].latency_ns == 2000);
    CHECK(tick.read_sample[1].latency_ns == 2000);
}
