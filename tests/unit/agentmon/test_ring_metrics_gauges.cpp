// RingMetrics: queue and head-of-line gauges, ring errors, throughput and the
// flow matrix, rings in an error state, the latency histogram.
#include "ring_metrics_fixture.h"

TEST_CASE("ring metrics: queue depth and head-of-line gauges per ring") {
    auto m = metrics();
    RingObservation a = observation("agent_ring_a", kDirector, kSecurity);
    a.tick.depth_frames = 12;
    a.tick.depth_bytes = 3456;
    a.tick.hol_age_ns = 1'500'000;
    RingObservation b = observation("agent_ring_b", kTestbed, kSecurity);
    b.tick.depth_frames = 5;
    b.tick.depth_bytes = 840;
    RingObservation c = observation("agent_ring_c", kSecurity, kDirector);  // empty
    const Snapshot s = build(m, {a, b, c}, 1.0);

    const LabelSet qa = {{"ring", "agent_ring_a"},
                         {"source_agent", "DIRECTOR"},
                         {"target_agent", "SECURITY"},
                         {"carrier", "ring"}};
    const LabelSet qb = {{"ring", "agent_ring_b"},
                         {"source_agent", "TESTBED"},
                         {"target_agent", "SECURITY"},
                         {"carrier", "ring"}};
    const LabelSet qc = {{"ring", "agent_ring_c"},
                         {"source_agent", "SECURITY"},
                         {"target_agent", "DIRECTOR"},
                         {"carrier", "ring"}};
    CHECK(value(s, "agent_transport_queue_depth", qa) == std::optional<double>(12));
    CHECK(value(s, "agent_transport_queue_depth", qb) == std::optional<double>(5));
    CHECK(value(s, "agent_transport_queue_depth", qc) == std::optional<double>(0));
    CHECK(value(s, "agent_transport_queue_depth_bytes", qa) == std::optional<double>(3456));
    CHECK(value(s, "agent_transport_queue_depth_bytes", qb) == std::optional<double>(840));
    CHECK(samples(s, "agent_transport_queue_depth") == 3);

    const LabelSet ha = {
        {"ring", "agent_ring_a"}, {"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}};
    const LabelSet hb = {
        {"ring", "agent_ring_b"}, {"source_agent", "TESTBED"}, {"target_agent", "SECURITY"}};
    CHECK(value(s, "agent_ring_head_of_line_age_seconds", ha) ==
          std::optional<double>(1'500'000 * 1e-9));
    CHECK(value(s, "agent_ring_head_of_line_age_seconds", hb) == std::optional<double>(0));
    CHECK(family(s, "agent_ring_head_of_line_age_seconds")->type == prometheus::MetricType::Gauge);

    // What waits for each consuming agent, over all its rings.
    CHECK(value(s, "agent_queue_depth", {{"agent_id", "SECURITY"}, {"agent_type", "SECURITY"}}) ==
          std::optional<double>(17));
    CHECK(value(s, "agent_queue_depth", {{"agent_id", "DIRECTOR"}, {"agent_type", "DIRECTOR"}}) ==
          std::optional<double>(0));
    // No frames read: full coverage by convention.
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", "agent_ring_c"}}) ==
          std::optional<double>(1));
}

TEST_CASE("ring metrics: new error states and bad records are counted by type") {
    auto m = metrics();
    RingObservation a = observation("agent_ring_a");
    a.new_errors = {"RING_TRUNCATED"};
    a.tick.error = "RING_TRUNCATED";
    RingObservation b = observation("agent_ring_b");
    b.tick.bad_records = 3;
    b.tick.read_frames = 2;
    b.tick.read_bytes = 336;
    const Snapshot s = build(m, {a, b}, 1.0);
    auto errors = [](const Snapshot& snap, const char* type) {
        return value(snap, "agent_transport_errors_total",
                     {{"carrier", "ring"}, {"direction", "all"}, {"error_type", type}});
    };
    CHECK(errors(s, "RING_TRUNCATED") == std::optional<double>(1));
    CHECK(errors(s, "RING_BAD_RECORD") == std::optional<double>(3));
    CHECK(errors(s, "RING_BAD_SIZE") == std::optional<double>(0));
    CHECK(errors(s, "RING_TAIL_AHEAD") == std::optional<double>(0));
    CHECK(errors(s, "RING_COUNTERS_BACKWARDS") == std::optional<double>(0));
    CHECK(errors(s, "RING_UNREADABLE") == std::optional<double>(0));
    CHECK(samples(s, "agent_transport_errors_total") == 7);
    CHECK(family(s, "agent_transport_errors_total")->type == prometheus::MetricType::Counter);

    // Still in the error state (not new), more bad records, another ring enters one.
    a.new_errors.clear();
    b.tick.bad_records = 2;
    RingObservation c = observation("agent_ring_c");
    c.new_errors = {"RING_COUNTERS_BACKWARDS"};
    c.tick.error = "RING_COUNTERS_BACKWARDS";
    const Snapshot t = build(m, {a, b, c}, 2.0);
    CHECK(errors(t, "RING_TRUNCATED") == std::optional<double>(1));
    CHECK(errors(t, "RING_BAD_RECORD") == std::optional<double>(5));
    CHECK(errors(t, "RING_COUNTERS_BACKWARDS") == std::optional<double>(1));
}

TEST_CASE("ring metrics: throughput and the flow matrix from the second tick on") {
    auto m = metrics();
    RingObservation a = with_reads(observation("agent_ring_a", kDirector, kSecurity), 30, 3000,
                                   {frame(kDirector, kSecurity, kRequest, kNormal, 100)});
    RingObservation b = with_reads(observation("agent_ring_b", kSecurity, kDirector), 10, 1000,
                                   {frame(kSecurity, kDirector, kResponse, kNormal, 100),
                                    frame(kTestbed, kDirector, kResponse, kNormal, 100)});
    const Snapshot first = build(m, {a, b}, 100.0);
    CHECK(family(first, "agent_transport_throughput_mps") == nullptr);
    CHECK(family(first, "message_flow_matrix") == nullptr);

    a.tick.read_frames = 8;
    b.tick.read_frames = 4;  // split 2 and 2 over its two pairs
    const Snapshot second = build(m, {a, b}, 104.0);
    CHECK(value(second, "agent_transport_throughput_mps", {{"carrier", "ring"}}) ==
          std::optional<double>(12.0 / 4.0));
    CHECK(value(second, "message_flow_matrix",
                {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}}) ==
          std::optional<double>(8.0 / 4.0));
    CHECK(value(second, "message_flow_matrix",
                {{"source_agent", "SECURITY"}, {"target_agent", "DIRECTOR"}}) ==
          std::optional<double>(2.0 / 4.0));
    CHECK(value(second, "message_flow_matrix",
                {{"source_agent", "TESTBED"}, {"target_agent", "DIRECTOR"}}) ==
          std::optional<double>(2.0 / 4.0));
    CHECK(samples(second, "message_flow_matrix") == 3);

    // A clock that did not move gives no rate rather than a division by zero.
    const Snapshot same = build(m, {a, b}, 104.0);
    CHECK(family(same, "agent_transport_throughput_mps") == nullptr);
}

TEST_CASE("ring metrics: the flow matrix adds to what the socket path put in the sink") {
    auto m = metrics();
    RingObservation a =
        with_reads(observation(), 6, 600, {frame(kDirector, kSecurity, kRequest, kNormal, 100)});
    build(m, {a}, 10.0);
    // The socket path's sample of the same pair, written into the same sink.
    m.sink->add(Family::message_flow_matrix,
                {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}}, 5.0);
    const Snapshot s = build(m, {a}, 12.0);
    CHECK(value(s, "message_flow_matrix",
                {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}}) ==
          std::optional<double>(5.0 + 3.0));
    CHECK(samples(s, "message_flow_matrix") == 1);
}

TEST_CASE("ring metrics: a ring in an error state contributes no counts and no gauges") {
    auto m = metrics();
    RingObservation bad = observation("agent_ring_bad", kDirector, kSecurity);
    bad.tick.error = "RING_TAIL_AHEAD";
    // Values decode_ring never sets with an error, to show they are ignored.
    bad.tick.read_frames = 100;
    bad.tick.read_bytes = 10000;
    bad.tick.written_frames = 50;
    bad.tick.written_bytes = 5000;
    bad.tick.depth_frames = 7;
    bad.tick.hol_age_ns = 5;
    bad.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 100, 1000)};
    RingObservation good = with_reads(observation("agent_ring_good", kTestbed, kSecurity), 2, 200);
    good.tick.depth_frames = 1;
    build(m, {bad, good}, 1.0);
    const Snapshot s = build(m, {bad, good}, 3.0);

    CHECK(sum(s, kMessages, {}) == 4);
    CHECK(sum(s, kBytes, {}) == 400);
    CHECK(value(s, kMessages, transport("TESTBED", "SECURITY", "other", "other", "received")) ==
          std::optional<double>(4));
    CHECK(samples(s, "agent_transport_queue_depth") == 1);
    CHECK(samples(s, "agent_ring_head_of_line_age_seconds") == 1);
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", "agent_ring_bad"}}) ==
          std::nullopt);
    CHECK(value(s, "agent_queue_depth", {{"agent_id", "SECURITY"}, {"agent_type", "SECURITY"}}) ==
          std::optional<double>(1));
    CHECK(family(s, "agent_transport_latency_seconds") == nullptr);
    CHECK(value(s, "agent_transport_throughput_mps", {{"carrier", "ring"}}) ==
          std::optional<double>(2.0 / 2.0));
}

TEST_CASE("ring metrics: the latency histogram holds exactly the frames read") {
    auto m = metrics();
    RingObservation o = with_reads(observation(), 10, 1000);
    // Buckets (bounds 1 ms, 10 ms, 100 ms): two at <= 1 ms, one <= 10 ms, one above.
    o.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 100, 500'000),
                          frame(kDirector, kSecurity, kRequest, kNormal, 100, 800'000),
                          frame(kDirector, kSecurity, kRequest, kNormal, 100, 5'000'000),
                          frame(kDirector, kSecurity, kRequest, kNormal, 100, 200'000'000)};
    const Snapshot s = build(m, {o}, 1.0);
    const auto* f = family(s, "agent_transport_latency_seconds");
    REQUIRE(f != nullptr);
    REQUIRE(f->metric.size() == 1);
    const auto& h = f->metric[0].histogram;
    CHECK(labels_of(f->metric[0]) == LabelSet{{"source_agent", "DIRECTOR"},
                                              {"target_agent", "SECURITY"},
                                              {"carrier", "ring"}});
    CHECK(h.sample_count == 10);
    // 10 over {2, 1, 1}: 5, 2.5, 2.5 -> 5, 3, 2 (the tie to the lower bucket).
    REQUIRE(h.bucket.size() == 4);
    CHECK(h.bucket[0].cumulative_count == 5);
    CHECK(h.bucket[1].cumulative_count == 8);
    CHECK(h.bucket[2].cumulative_count == 8);
    CHECK(h.bucket[3].cumulative_count == 10);

    // The size histogram likewise holds every frame read, by message type.
    const auto* sizes = family(s, "agent_transport_message_size_bytes");
    REQUIRE(sizes != nullptr);
    REQUIRE(sizes->metric.size() == 1);
    CHECK(labels_of(sizes->metric[0]) ==
          LabelSet{{"msg_type", "REQUEST"}, {"carrier", "ring"}, {"direction", "received"}});
    CHECK(sizes->metric[0].histogram.sample_count == 10);
    CHECK(sizes->metric[0].histogram.sample_sum == 1000);
}

TEST_CASE("ring metrics: a tick without a latency estimate adds to sizes, not to latency") {
    auto m = metrics();
    RingObservation o = observation();
    o.tick.read_frames = 2;
    o.tick.read_bytes = 200;
    o.tick.latency_estimated = false;  // a ring's first read
    o.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 100, 900'000'000),
                          frame(kDirector, kSecurity, kRequest, kNormal, 100, 800'000'000)};
    const Snapshot s = build(m, {o}, 1.0);
    CHECK(family(s, "agent_transport_latency_seconds") == nullptr);
    REQUIRE(family(s, "agent_transport_message_size_bytes") != nullptr);
}
