// The final read of a ring whose processes have exited: its last frames' latency
// ends where their consumer stopped, not at agentmon's read up to a tick later.
#include "ring_decode_fixture.h"

TEST_CASE("ring decode: a final read does not add the wait after the bus exited to latency") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 100});
    ring.pop(1);
    const RingTick first =
        decode_ring(read_of(ring, 1'000'000, end_to_end(ring, 0, ring.head())), {}, kSpec);
    // Two frames sent at 1.1 and 1.2 ms and read at once; then every process exits
    // and agentmon's next tick reads the file at 1 s.
    ring.push({.timestamp = 1'100'000});
    ring.push({.timestamp = 1'200'000});
    ring.pop(2);
    RingRead last = read_of(ring, 1'000'000'000, end_to_end(ring, first.after.tail, ring.head()));
    const RingTick live = decode_ring(last, first.after, kSpec);
    REQUIRE(live.read_sample.size() == 2);
    CHECK(live.read_sample[1].latency_ns > 900'000'000);  // as if read at 1 s

    last.final_read = true;
    const RingTick final_tick = decode_ring(last, first.after, kSpec);
    REQUIRE(final_tick.read_sample.size() == 2);
    for (const auto& f : final_tick.read_sample) CHECK(f.latency_ns < 200'000);
    CHECK(final_tick.read_frames == 2);  // the counts are the same either way
}

TEST_CASE("ring decode: a ring's first read gives no latency estimate; later reads do") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 100});
    ring.pop(1);
    const RingTick first =
        decode_ring(read_of(ring, 1'000'000, end_to_end(ring, 0, ring.head())), {}, kSpec);
    CHECK(first.read_frames == 1);
    CHECK_FALSE(first.latency_estimated);  // no earlier read: no interval to place it in
    ring.push({.timestamp = 1'100'000});
    ring.pop(1);
    const RingTick second =
        decode_ring(read_of(ring, 2'000'000, end_to_end(ring, first.after.tail, ring.head())),
                    first.after, kSpec);
    CHECK(second.latency_estimated);
}
