// RingMetrics: apportioning exact counts over the sample, counts per label set,
// the last mix reused, counters that never decrease.
#include "ring_metrics_fixture.h"

TEST_CASE("ring apportion: whole shares summing exactly to the total, largest remainders first") {
    CHECK(apportion(10, {3, 1}) == std::vector<std::uint64_t>{8, 2});  // 7.5 and 2.5, tie
    CHECK(apportion(100, {1, 1, 2}) == std::vector<std::uint64_t>{25, 25, 50});
    CHECK(apportion(7, {0.5, 0.3, 0.2}) == std::vector<std::uint64_t>{4, 2, 1});  // 3.5 2.1 1.4
    CHECK(apportion(1000, {600, 400}) == std::vector<std::uint64_t>{600, 400});
    CHECK(apportion(3, {1}) == std::vector<std::uint64_t>{3});
    // 10 over seven equal weights: 1 each, and the three extra to the lowest indices.
    CHECK(apportion(10, std::vector<double>(7, 1.0)) ==
          std::vector<std::uint64_t>{2, 2, 2, 1, 1, 1, 1});
    CHECK(apportion(1, {1, 1, 1}) == std::vector<std::uint64_t>{1, 0, 0});
    CHECK(apportion(2, {1, 1, 1}) == std::vector<std::uint64_t>{1, 1, 0});
    // A zero weight gets nothing while others weigh something.
    CHECK(apportion(5, {0, 2, 0, 3}) == std::vector<std::uint64_t>{0, 2, 0, 3});
    CHECK(apportion(5, {0, 1}) == std::vector<std::uint64_t>{0, 5});
}

TEST_CASE("ring apportion: zero weights split evenly; a zero total gives zeros") {
    CHECK(apportion(3, {0, 0}) == std::vector<std::uint64_t>{2, 1});
    CHECK(apportion(6, {0, 0, 0}) == std::vector<std::uint64_t>{2, 2, 2});
    CHECK(apportion(0, {3, 1}) == std::vector<std::uint64_t>{0, 0});
    CHECK(apportion(0, {0, 0}) == std::vector<std::uint64_t>{0, 0});
    CHECK(apportion(5, {}).empty());
}

TEST_CASE("ring apportion: the sum is exact and the result stable for many weights and totals") {
    const std::vector<double> weights = {1, 7, 7, 13, 0, 2, 31, 2};
    for (std::uint64_t total : {0ull, 1ull, 2ull, 61ull, 62ull, 1000ull, 999'999'937ull}) {
        CAPTURE(total);
        const auto split = apportion(total, weights);
        std::uint64_t given = 0;
        for (std::size_t i = 0; i < split.size(); ++i) {
            given += split[i];
            // Each share within one of its exact value.
            const double exact = double(total) * weights[i] / 63.0;
            CHECK(double(split[i]) >= exact - 1.0);
            CHECK(double(split[i]) <= exact + 1.0);
        }
        CHECK(given == total);
        CHECK(split[4] == 0);
        CHECK(split[1] == split[2]);                // equal weights, equal shares ...
        CHECK(apportion(total, weights) == split);  // ... and the same every time
    }
}

TEST_CASE("ring metrics: every ring error type is exported, at 0 until seen") {
    CHECK(ring_error_types() == std::vector<std::string>{"RING_BAD_RECORD", "RING_BAD_SIZE",
                                                         "RING_COUNTERS_BACKWARDS",
                                                         "RING_TAIL_AHEAD", "RING_TRUNCATED",
                                                         "RING_UNREADABLE", "SPOOFED_SOURCE"});
    auto m = metrics();
    const Snapshot s = build(m, {}, 1.0);
    CHECK(samples(s, "agent_transport_errors_total") == 7);
    for (const auto& type : ring_error_types()) {
        CAPTURE(type);
        CHECK(value(s, "agent_transport_errors_total",
                    {{"carrier", "ring"}, {"direction", "all"}, {"error_type", type}}) ==
              std::optional<double>(0));
    }
    // No ring, no traffic series.
    CHECK(samples(s, kMessages) == 0);
    CHECK(family(s, "agent_transport_throughput_mps") == nullptr);
}

TEST_CASE("ring metrics: exact counts, split in proportion to the sample") {
    auto m = metrics();
    RingObservation o = with_reads(observation(), 10, 2000, request_mix());
    o.tick.written_frames = 9;
    o.tick.written_bytes = 1800;
    o.tick.written_sample = {frame(kDirector, kSecurity, kTask, kNormal, 100),
                             frame(kDirector, kTestbed, kTask, kNormal, 300)};
    const Snapshot s = build(m, {o}, 10.0);

    // Frames 10 over {3, 1}: 7.5 and 2.5, the tie to the first key. Bytes 2000 over
    // {600, 400}.
    check_counts(s, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received"), 8, 1200);
    check_counts(s, transport("DIRECTOR", "SECURITY", "RESPONSE", "HIGH", "received"), 2, 800);
    // Frames 9 over {1, 1}: 5 and 4. Bytes 1800 over {100, 300}: 450 and 1350.
    check_counts(s, transport("DIRECTOR", "SECURITY", "TASK", "NORMAL", "sent"), 5, 450);
    check_counts(s, transport("DIRECTOR", "TESTBED", "TASK", "NORMAL", "sent"), 4, 1350);

    CHECK(sum(s, kMessages, {{"carrier", "ring"}, {"direction", "received"}}) == 10);
    CHECK(sum(s, kBytes, {{"carrier", "ring"}, {"direction", "received"}}) == 2000);
    CHECK(sum(s, kMessages, {{"carrier", "ring"}, {"direction", "sent"}}) == 9);
    CHECK(sum(s, kBytes, {{"carrier", "ring"}, {"direction", "sent"}}) == 1800);
    CHECK(samples(s, kMessages) == 4);
    CHECK(family(s, kMessages)->type == prometheus::MetricType::Counter);

    // Coverage: 4 of 10 frames read were sampled.
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", kRing}}) ==
          std::optional<double>(0.4));
}

TEST_CASE("ring metrics: counts from several rings add up per label set") {
    auto m = metrics();
    RingObservation a = with_reads(observation("agent_ring_a"), 3, 600,
                                   {frame(kDirector, kSecurity, kRequest, kNormal, 200)});
    RingObservation b = observation("agent_ring_b", 29, kSecurity);  // DIRECTOR instance 1
    b.tick.read_frames = 4;
    b.tick.read_bytes = 800;
    b.tick.read_sample = {frame(29, kSecurity, kRequest, kNormal, 200)};
    const Snapshot s = build(m, {a, b}, 1.0);
    check_counts(s, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received"), 7, 1400);
    CHECK(samples(s, kMessages) == 1);
}

TEST_CASE("ring metrics: a tick without a sample reuses the ring's last mix") {
    auto m = metrics();
    RingObservation o = with_reads(observation(), 10, 2000, request_mix());
    build(m, {o}, 1.0);

    RingObservation next = with_reads(observation(), 4, 1000);
    const Snapshot s = build(m, {next}, 2.0);
    // Frames 4 over {3, 1}; bytes 1000 over {600, 400}.
    check_counts(s, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received"), 8 + 3,
                 1200 + 600);
    check_counts(s, transport("DIRECTOR", "SECURITY", "RESPONSE", "HIGH", "received"), 2 + 1,
                 800 + 400);
    // Coverage 0 of 4: nothing of this tick's breakdown was seen.
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", kRing}}) ==
          std::optional<double>(0));

    // The mix is kept per ring and direction: another ring, or the sent side of
    // this one, does not borrow it.
    RingObservation other =
        with_reads(observation("agent_ring_other", kTestbed, kDirector), 2, 300);
    RingObservation sent = observation();
    sent.tick.written_frames = 6;
    sent.tick.written_bytes = 900;
    const Snapshot t = build(m, {other, sent}, 3.0);
    check_counts(t, transport("TESTBED", "DIRECTOR", "other", "other", "received"), 2, 300);
    check_counts(t, transport("DIRECTOR", "SECURITY", "other", "other", "sent"), 6, 900);
    CHECK(sum(t, kMessages, {{"direction", "received"}}) == 10 + 4 + 2);
}

TEST_CASE("ring metrics: a ring never sampled is labelled with its producer and consumer") {
    auto m = metrics();
    RingObservation o = observation(kRing, kTestbed, kSecurity);
    o.tick.written_frames = 5;
    o.tick.written_bytes = 840;
    o.tick.read_frames = 3;
    o.tick.read_bytes = 504;
    const Snapshot s = build(m, {o}, 1.0);
    check_counts(s, transport("TESTBED", "SECURITY", "other", "other", "sent"), 5, 840);
    check_counts(s, transport("TESTBED", "SECURITY", "other", "other", "received"), 3, 504);
    CHECK(samples(s, kMessages) == 2);
}

TEST_CASE("ring metrics: counters never decrease, whatever the mix of later ticks") {
    auto m = metrics();
    std::map<std::pair<std::string, LabelSet>, double> last;
    const std::vector<std::vector<SampledFrame>> mixes = {
        {frame(kDirector, kSecurity, kRequest, kNormal, 200)},
        {frame(kDirector, kSecurity, kResponse, kHigh, 300),
         frame(kDirector, kSecurity, kResponse, kHigh, 300)},
        {},
        {frame(kDirector, kSecurity, kRequest, kNormal, 200),
         frame(kDirector, kSecurity, kTask, kHigh, 100)},
        {frame(kDirector, kSecurity, kTask, kHigh, 100)},
    };
    std::uint64_t frames = 0, bytes = 0;
    for (std::size_t tick = 0; tick < mixes.size(); ++tick) {
        CAPTURE(tick);
        RingObservation o = with_reads(observation(), 3 + tick * 5, 700 + tick * 111);
        o.tick.read_sample = mixes[tick];
        frames += o.tick.read_frames;
        bytes += o.tick.read_bytes;
        const Snapshot s = build(m, {o}, 1.0 + double(tick));
        for (const char* name : {kMessages, kBytes}) {
            for (const auto& metric : family(s, name)->metric) {
                auto& before = last[{name, labels_of(metric)}];
                CHECK(metric.counter.value >= before);
                before = metric.counter.value;
            }
        }
        // Every series seen before is still exported (and was just compared).
        std::size_t present = 0;
        for (const auto& [series, v] : last)
            if (value(s, series.first, series.second) == std::optional<double>(v)) ++present;
        CHECK(present == samples(s, kMessages) + samples(s, kBytes));
        CHECK(sum(s, kMessages, {{"direction", "received"}}) == double(frames));
        CHECK(sum(s, kBytes, {{"direction", "received"}}) == double(bytes));
    }
}
