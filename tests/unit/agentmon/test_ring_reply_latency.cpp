// Ring latency from replies: a request whose reply was sampled in the same tick is
// measured by the reply's timestamp (its consumer's clock), inside the tick's
// bounds; the ring's histogram then follows the measured requests.
#include "model/ring_reply_latency.h"

#include "ring_decode_fixture.h"
#include "ring_metrics_fixture.h"

namespace {

SampledFrame tracked(std::uint32_t source, std::uint32_t target, std::uint8_t role,
                     std::uint64_t sequence, std::uint64_t sent_ns) {
    SampledFrame f = frame(source, target, role == FRAME_REPLY ? kResponse : kRequest, kNormal, 232,
                           777'000'000);  // the estimate from the tail's progress
    f.role = role;
    f.sequence = sequence;
    f.sent_ns = sent_ns;
    return f;
}

RingTick bounded(std::uint64_t after_ns, std::uint64_t by_ns) {
    RingTick t;
    t.consumed_after_ns = after_ns;
    t.consumed_by_ns = by_ns;
    return t;
}

}  // namespace

TEST_CASE("ring decode: sequence and request or reply role from the frame spec") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 5'000});
    const std::uint64_t reply = ring.push({.msg_type = 2, .timestamp = 6'000});
    put<std::uint16_t>(ring.at(reply) + 6, 1);  // the REPLY flag
    ring.pop(2);
    const RingTick t =
        decode_ring(read_of(ring, 10'000, end_to_end(ring, 0, ring.head())), {}, kSpec);
    REQUIRE(t.read_sample.size() == 2);
    CHECK(t.read_sample[0].role == FRAME_REQUEST);
    CHECK(t.read_sample[0].sequence == 1);
    CHECK(t.read_sample[0].sent_ns == 5'000);
    CHECK(t.read_sample[1].role == FRAME_REPLY);
    CHECK(t.read_sample[1].sequence == 2);
    CHECK(t.consumed_by_ns == 10'000);

    FrameSpec untracked = kSpec;
    untracked.reply_mask = 0;
    const RingTick u =
        decode_ring(read_of(ring, 10'000, end_to_end(ring, 0, ring.head())), {}, untracked);
    REQUIRE(u.read_sample.size() == 2);
    CHECK(u.read_sample[1].role == FRAME_UNTRACKED);
}

TEST_CASE("ring reply latency: the reply's send time, from the request's consumer to its sender") {
    ReplyTimes replies;
    // SECURITY answered DIRECTOR's request 7 at 1.000040 s; TESTBED's reply with
    // the same sequence answers someone else.
    replies.add({tracked(kSecurity, kDirector, FRAME_REPLY, 7, 1'000'040'000),
                 tracked(kTestbed, kDirector, FRAME_REPLY, 8, 1'000'100'000)});
    const RingTick tick = bounded(500'000'000, 1'500'000'000);
    const SampledFrame request = tracked(kDirector, kSecurity, FRAME_REQUEST, 7, 1'000'000'000);
    CHECK(replies.latency_of(request, kSecurity, tick) == std::optional<std::uint64_t>(40'000));
    // Another consumer, another sequence, a reply or an untracked frame: nothing.
    CHECK_FALSE(replies.latency_of(request, kTestbed, tick));
    CHECK_FALSE(replies.latency_of(tracked(kDirector, kSecurity, FRAME_REQUEST, 9, 1'000'000'000),
                                   kSecurity, tick));
    CHECK_FALSE(replies.latency_of(tracked(kDirector, kSecurity, FRAME_REPLY, 7, 1'000'000'000),
                                   kSecurity, tick));
    CHECK_FALSE(replies.latency_of(tracked(kDirector, kSecurity, FRAME_UNTRACKED, 7, 1'000'000'000),
                                   kSecurity, tick));
    // A reply older than the request answers an earlier one with that sequence.
    CHECK_FALSE(replies.latency_of(tracked(kDirector, kSecurity, FRAME_REQUEST, 7, 1'000'050'000),
                                   kSecurity, tick));
}

TEST_CASE("ring reply latency: a key's earliest reply counts, whichever ring's sample added it") {
    ReplyTimes replies;
    const RingTick tick = bounded(500'000'000, 1'500'000'000);
    const SampledFrame request = tracked(kDirector, kSecurity, FRAME_REQUEST, 7, 1'000'000'000);
    replies.add({tracked(kSecurity, kDirector, FRAME_REPLY, 7, 1'000'090'000)});
    CHECK(replies.latency_of(request, kSecurity, tick) == std::optional<std::uint64_t>(90'000));
    // Added after a lookup, in another call (the reply's copy read from the other
    // end of the ring): the earlier send time is the one kept.
    replies.add({tracked(kTestbed, kDirector, FRAME_REPLY, 7, 1'000'010'000),
                 tracked(kSecurity, kDirector, FRAME_REPLY, 7, 1'000'030'000)});
    CHECK(replies.latency_of(request, kSecurity, tick) == std::optional<std::uint64_t>(30'000));
    replies.clear();
    CHECK_FALSE(replies.latency_of(request, kSecurity, tick));
}

TEST_CASE("ring reply latency: kept inside what the tick's two reads allow") {
    ReplyTimes replies;
    replies.add({tracked(kSecurity, kDirector, FRAME_REPLY, 1, 2'000'000'000)});
    const SampledFrame request = tracked(kDirector, kSecurity, FRAME_REQUEST, 1, 1'000'000'000);
    // Read at 1.2 s: consumed by then, whatever the (slow) reply says.
    CHECK(replies.latency_of(request, kSecurity, bounded(900'000'000, 1'200'000'000)) ==
          std::optional<std::uint64_t>(200'000'000));
    ReplyTimes fast;
    fast.add({tracked(kSecurity, kDirector, FRAME_REPLY, 1, 1'000'010'000)});
    // Still in the ring at the previous read at 1.1 s: waited at least 100 ms.
    CHECK(fast.latency_of(request, kSecurity, bounded(1'100'000'000, 2'000'000'000)) ==
          std::optional<std::uint64_t>(100'000'000));
}

TEST_CASE("ring metrics: measured requests stand for the ring's latency, also the next tick") {
    auto m = metrics();
    // 20 frames read; two requests of the sample have replies on the reverse ring,
    // 30 and 40 us after them; the other frames' estimates (777 ms) are not used.
    RingObservation forward =
        with_reads(observation("agent_ring_f", kDirector, kSecurity), 20, 20 * 232);
    forward.tick.read_sample = {tracked(kDirector, kSecurity, FRAME_REQUEST, 1, 1'000'000'000),
                                tracked(kDirector, kSecurity, FRAME_REQUEST, 2, 1'000'100'000),
                                tracked(kDirector, kSecurity, FRAME_REQUEST, 3, 1'000'200'000),
                                tracked(kDirector, kSecurity, FRAME_UNTRACKED, 0, 1'000'300'000)};
    forward.tick.consumed_after_ns = 500'000'000;
    forward.tick.consumed_by_ns = 1'500'000'000;
    RingObservation reverse = observation("agent_ring_r", kSecurity, kDirector);
    reverse.tick.written_frames = 2;
    reverse.tick.written_sample = {tracked(kSecurity, kDirector, FRAME_REPLY, 1, 1'000'030'000),
                                   tracked(kSecurity, kDirector, FRAME_REPLY, 2, 1'000'140'000)};
    const Snapshot s = build(m, {forward, reverse}, 1.0);
    const auto* f = family(s, "agent_transport_latency_seconds");
    REQUIRE(f != nullptr);
    REQUIRE(f->metric.size() == 1);
    const auto& h = f->metric[0].histogram;
    CHECK(h.sample_count == 20);
    // Every frame is placed at or under 100 ms (the fixture's bounds: 1 ms, 10 ms,
    // 100 ms): the measured 30 and 40 us, not the 777 ms estimates.
    REQUIRE(h.bucket.size() == 4);
    CHECK(h.bucket[0].cumulative_count == 20);

    // The next tick samples no reply: the ring's last measured requests stand for it.
    RingObservation next =
        with_reads(observation("agent_ring_f", kDirector, kSecurity), 10, 10 * 232);
    next.tick.read_sample = {tracked(kDirector, kSecurity, FRAME_REQUEST, 4, 2'000'000'000)};
    const Snapshot s2 = build(m, {next}, 2.0);
    const auto* f2 = family(s2, "agent_transport_latency_seconds");
    REQUIRE(f2 != nullptr);
    CHECK(f2->metric[0].histogram.sample_count == 30);
    CHECK(f2->metric[0].histogram.bucket[0].cumulative_count == 30);
}

namespace {
// One tick of a forward ring (kDirector -> kSecurity) reading `frames` frames, of
// which the request `sequence`, sent at `sent_ns`, is answered `latency_ns` later.
std::vector<RingObservation> measured_tick(std::uint64_t frames, std::uint64_t sequence,
                                           std::uint64_t sent_ns, std::uint64_t latency_ns) {
    RingObservation forward =
        with_reads(observation("agent_ring_f", kDirector, kSecurity), frames, frames * 232);
    forward.tick.read_sample = {tracked(kDirector, kSecurity, FRAME_REQUEST, sequence, sent_ns)};
    forward.tick.consumed_after_ns = sent_ns - 500'000'000;
    forward.tick.consumed_by_ns = sent_ns + 500'000'000;
    RingObservation reverse = observation("agent_ring_r", kSecurity, kDirector);
    reverse.tick.written_frames = 1;
    reverse.tick.written_sample = {
        tracked(kSecurity, kDirector, FRAME_REPLY, sequence, sent_ns + latency_ns)};
    return {forward, reverse};
}

// Frames of the latency histogram at or under 1 ms (the fixture's first bound).
std::uint64_t fast_frames(const Snapshot& s) {
    const auto* f = family(s, "agent_transport_latency_seconds");
    REQUIRE(f != nullptr);
    return f->metric[0].histogram.bucket[0].cumulative_count;
}
}  // namespace

TEST_CASE("ring metrics: a ring's measured requests of its last ticks are pooled") {
    auto m = metrics();
    // Tick 1 measures a 30 us request, tick 2 a 50 ms one: tick 2's 100 frames
    // go half to each, not all to the one slow request.
    build(m, measured_tick(100, 1, 1'000'000'000, 30'000), 1.0);
    CHECK(fast_frames(build(m, measured_tick(100, 2, 2'000'000'000, 50'000'000), 2.0)) == 150);
    // Eight more ticks of fast requests push the slow one out of the pool: the
    // last tick's frames are all fast.
    std::uint64_t fast = 0;
    for (std::uint64_t t = 3; t <= 10; ++t)
        fast = fast_frames(build(m, measured_tick(100, t, t * 1'000'000'000, 30'000), double(t)));
    const Snapshot last = build(m, measured_tick(100, 11, 11'000'000'000, 30'000), 11.0);
    CHECK(fast_frames(last) == fast + 100);
    // A closed ring's pool is forgotten: the same name starts over.
    m.metrics.forget("agent_ring_f");
    const Snapshot again = build(m, measured_tick(100, 12, 12'000'000'000, 50'000'000), 12.0);
    CHECK(fast_frames(again) == fast_frames(last));
}

TEST_CASE("ring metrics: a tick that measured enough requests stands for itself") {
    auto m = metrics();
    // A tick of eight slow requests, then one of eight fast ones: the second
    // tick's frames are all fast, none lent to the first tick's slow requests.
    const auto tick_of = [](std::uint64_t first_sequence, std::uint64_t sent_ns,
                            std::uint64_t latency_ns) {
        auto rings = measured_tick(80, first_sequence, sent_ns, latency_ns);
        auto& requests = rings[0].tick.read_sample;
        auto& replies = rings[1].tick.written_sample;
        for (std::uint64_t k = 1; k < 8; ++k) {
            requests.push_back(tracked(kDirector, kSecurity, FRAME_REQUEST, first_sequence + k,
                                       sent_ns + k * 1000));
            replies.push_back(tracked(kSecurity, kDirector, FRAME_REPLY, first_sequence + k,
                                      sent_ns + k * 1000 + latency_ns));
        }
        return rings;
    };
    CHECK(fast_frames(build(m, tick_of(1, 1'000'000'000, 50'000'000), 1.0)) == 0);
    CHECK(fast_frames(build(m, tick_of(9, 2'000'000'000, 30'000), 2.0)) == 80);
    // A tick that measured one reuses the pool: both earlier ticks and its own.
    CHECK(fast_frames(build(m, measured_tick(170, 17, 3'000'000'000, 30'000), 3.0)) == 80 + 90);
}

TEST_CASE(
    "ring decode: a frame claiming another source than the ring's producer is the producer's") {
    TestRing ring(1 << 16, /*producer=*/1, /*consumer=*/3);
    ring.push({.source = 1, .timestamp = 5'000});
    ring.push({.source = 29, .timestamp = 6'000});  // DIRECTOR_1: same type, another id
    ring.push({.source = 5, .timestamp = 7'000});   // TESTBED
    const RingTick t =
        decode_ring(read_of(ring, 10'000, end_to_end(ring, 0, ring.head())), {}, kSpec);
    REQUIRE(t.written_sample.size() == 3);
    for (const auto& f : t.written_sample) CHECK(f.source == 1);
    CHECK_FALSE(t.written_sample[0].spoofed);
    CHECK(t.written_sample[1].spoofed);
    CHECK(t.written_sample[2].spoofed);
}

TEST_CASE("ring metrics: spoofed frames counted as SPOOFED_SOURCE, in proportion to the sample") {
    auto m = metrics();
    RingObservation o = observation();
    o.tick.written_frames = 10;
    o.tick.written_bytes = 10 * 200;
    SampledFrame spoofed = frame(kDirector, kSecurity, kRequest, kNormal, 200);
    spoofed.spoofed = true;
    o.tick.written_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 200), spoofed};
    const Snapshot s = build(m, {o}, 1.0);
    CHECK(value(s, "agent_transport_errors_total",
                {{"carrier", "ring"}, {"direction", "all"}, {"error_type", "SPOOFED_SOURCE"}}) ==
          std::optional<double>(5));
    // Every frame is the producer's: none is exported under another source.
    CHECK(sum(s, kMessages, {{"source_agent", "DIRECTOR"}, {"direction", "sent"}}) == 10);
}
