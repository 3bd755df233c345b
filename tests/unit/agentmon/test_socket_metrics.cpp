// SocketMetrics on hand-built readings: raw ids become names and sum per label set,
// histograms become cumulative Prometheus buckets in seconds, rates come from two
// readings.
#include "socket_metrics_fixture.h"

TEST_CASE("frames and bytes are counted per named label set; instances add up under their type") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    // ids 1 and 29 are both DIRECTOR: 10 + 5 frames, 1680 + 840 bytes.
    check_counts(s, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "unix", "sent"), 15,
                 2520);
    check_counts(s, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "unix", "received"), 15,
                 2520);
    check_counts(s, transport("SECURITY", "DIRECTOR", "RESPONSE", "HIGH", "unix", "received"), 7,
                 1176);
    // No name for target 0, msg_type 99, priority 9: "unknown" and "other".
    check_counts(s, transport("PROJECT_ORCHESTRATOR", "unknown", "other", "other", "tcp", "sent"),
                 1, 200);
    // Five raw keys, four label sets: the instance folded into its type.
    CHECK(samples(s, "agent_transport_messages_total") == 4);
    CHECK(samples(s, "agent_transport_bytes_total") == 4);
    CHECK(family(s, "agent_transport_messages_total")->type == prometheus::MetricType::Counter);
}

TEST_CASE("a registry entry gives an id its type before the id arithmetic does") {
    // id 29 would be DIRECTOR by arithmetic; the registry says it is a MONITOR. The
    // kernel keys frames by type through the table the registry writes.
    const AgentRegistry registry({{29, 10, "monitor-eu"}});
    CHECK(registry.type_table(AGENT_ID_TYPE_MAX)[29] == 10);
    SocketPath metrics(registry);
    SocketReading r;
    set_raw_frames(r, {frames(29, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 5, 840)}, registry);
    const Snapshot s = build(metrics, r);
    CHECK(value(s, "agent_transport_messages_total",
                transport("MONITOR", "SECURITY", "REQUEST", "NORMAL", "unix", "sent")) == 5);
}

TEST_CASE("the latency histogram has cumulative buckets with le in seconds and +Inf = count") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    const auto* f = family(s, "agent_transport_latency_seconds");
    REQUIRE(f != nullptr);
    CHECK(f->type == prometheus::MetricType::Histogram);
    const auto* m =
        sample(s, "agent_transport_latency_seconds",
               {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}, {"carrier", "unix"}});
    REQUIRE(m != nullptr);
    const auto& h = m->histogram;
    REQUIRE(h.bucket.size() == 4);  // three bounds and +Inf
    struct Bucket {
        double le;
        std::uint64_t cumulative;
    };
    const Bucket want[] = {
        {0.001, 2}, {0.01, 5}, {0.1, 6}, {std::numeric_limits<double>::infinity(), 10}};
    for (std::size_t i = 0; i < 4; ++i) {
        CAPTURE(i);
        CHECK(h.bucket[i].upper_bound == want[i].le);
        CHECK(h.bucket[i].cumulative_count == want[i].cumulative);
    }
    CHECK(h.sample_count == 10);
    CHECK(h.sample_sum == doctest::Approx(1.2345));  // 1 234 500 000 ns
}

TEST_CASE("the size histogram is in bytes, by msg_type, carrier and direction") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    const auto* m = sample(s, "agent_transport_message_size_bytes",
                           {{"msg_type", "REQUEST"}, {"carrier", "unix"}, {"direction", "sent"}});
    REQUIRE(m != nullptr);
    const auto& h = m->histogram;
    REQUIRE(h.bucket.size() == 3);
    CHECK(h.bucket[0].upper_bound == 64);
    CHECK(h.bucket[0].cumulative_count == 0);
    CHECK(h.bucket[1].upper_bound == 256);
    CHECK(h.bucket[1].cumulative_count == 15);
    CHECK(h.bucket[2].cumulative_count == 15);
    CHECK(h.sample_count == 15);
    CHECK(h.sample_sum == 2520);
}

TEST_CASE("latency histograms of one label set add up bucket by bucket") {
    auto metrics = default_metrics();
    SocketReading r;
    LatencyEntry a;
    a.source_type = 1;
    a.target_type = 3;
    a.carrier = CARRIER_TCP;
    a.histogram.buckets[0] = 1;
    a.histogram.sum = 500'000;
    LatencyEntry b = a;
    b.histogram.buckets[0] = 0;
    b.histogram.buckets[1] = 2;
    b.histogram.sum = 10'000'000;
    r.latency = {a, b};
    const Snapshot s = build(metrics, r);
    CHECK(samples(s, "agent_transport_latency_seconds") == 1);
    const auto* m =
        sample(s, "agent_transport_latency_seconds",
               {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}, {"carrier", "tcp"}});
    REQUIRE(m != nullptr);
    CHECK(m->histogram.bucket[0].cumulative_count == 1);
    CHECK(m->histogram.bucket[1].cumulative_count == 3);
    CHECK(m->histogram.sample_count == 3);
    CHECK(m->histogram.sample_sum == doctest::Approx(0.0105));
}

TEST_CASE("the first reading gives no rates: there is no interval to divide by") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    CHECK(family(s, "agent_transport_throughput_mps") == nullptr);
    CHECK(family(s, "message_flow_matrix") == nullptr);
}

TEST_CASE("throughput and the flow matrix are received frames per second between two readings") {
    auto metrics = default_metrics();
    build(metrics, first_reading());
    const Snapshot s = build(metrics, second_reading());
    check_all(s, {
                     // unix received: 7 + 15 at 10 s, 17 + 25 + 6 at 12 s.
                     {"agent_transport_throughput_mps", {{"carrier", "unix"}}, 13},
                     // tcp received: none at 10 s, 4 at 12 s.
                     {"agent_transport_throughput_mps", {{"carrier", "tcp"}}, 2},
                     // 15 at 10 s; 25 (id 1) + 6 (id 29) at 12 s.
                     {"message_flow_matrix",
                      {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}},
                      8},
                     {"message_flow_matrix",
                      {{"source_agent", "SECURITY"}, {"target_agent", "DIRECTOR"}},
                      5},
                     {"message_flow_matrix",
                      {{"source_agent", "PROJECT_ORCHESTRATOR"}, {"target_agent", "TESTBED"}},
                      2},
                 });
    CHECK(samples(s, "agent_transport_throughput_mps") == 2);
    CHECK(samples(s, "message_flow_matrix") == 3);
    CHECK(family(s, "message_flow_matrix")->type == prometheus::MetricType::Gauge);
}

TEST_CASE("a counter that went down reads as no traffic, not a negative rate") {
    auto metrics = default_metrics();
    build(metrics, second_reading());
    SocketReading later = first_reading();  // fewer frames: the maps were re-created
    later.monotonic_seconds = 14;
    const Snapshot s = build(metrics, later);
    CHECK(value(s, "agent_transport_throughput_mps", {{"carrier", "unix"}}) == 0);
}
