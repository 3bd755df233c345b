// SocketMetrics on hand-built readings: errors split from would-block, decoder
// events and map fill, the series budget folds and counts, agent signals.
#include "socket_metrics_fixture.h"

TEST_CASE("EAGAIN counts as would-block, other errnos and decoder losses as errors") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    check_all(s, {
                     {"agent_transport_would_block_total",
                      {{"carrier", "unix"}, {"direction", "sent"}, {"error_type", "EAGAIN"}},
                      12},
                     {"agent_transport_errors_total",
                      {{"carrier", "unix"}, {"direction", "sent"}, {"error_type", "EPIPE"}},
                      3},
                     {"agent_transport_errors_total",
                      {{"carrier", "tcp"}, {"direction", "received"}, {"error_type", "ECONNRESET"}},
                      2},
                     {"agent_transport_errors_total",
                      {{"carrier", "all"}, {"direction", "all"}, {"error_type", "MALFORMED"}},
                      4},
                     // Present at zero so the error ratio has its series from the start.
                     {"agent_transport_errors_total",
                      {{"carrier", "all"}, {"direction", "all"}, {"error_type", "MAP_FULL"}},
                      0},
                     {"agent_transport_errors_total",
                      {{"carrier", "all"}, {"direction", "all"}, {"error_type", "RCVQ_DROP"}},
                      1},
                 });
    CHECK(sample(s, "agent_transport_errors_total",
                 {{"carrier", "unix"}, {"direction", "sent"}, {"error_type", "EAGAIN"}}) ==
          nullptr);
    // Plus UNAUTHORIZED and SPOOFED_SOURCE, present at zero.
    CHECK(samples(s, "agent_transport_errors_total") == 7);
    CHECK(samples(s, "agent_transport_would_block_total") == 1);
}

TEST_CASE("every decoder event is exported by name, zero included") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    struct Case {
        const char* event;
        double count;
    };
    const Case cases[] = {
        {"MALFORMED", 4},           {"MALFORMED_BYTES", 100}, {"TRUNCATED", 2},
        {"READ_FAILED", 0},         {"FRAMES_MAP_FULL", 0},   {"CONN_STATE_FAILED", 0},
        {"UNSUPPORTED_SYSCALL", 0}, {"WATCHED_MAP_FULL", 0},  {"RCVQ_DROPS", 1}};
    for (const auto& c : cases) {
        CAPTURE(c.event);
        CHECK(value(s, "agentmon_decoder_events_total", {{"event", c.event}}) == c.count);
    }
    CHECK(samples(s, "agentmon_decoder_events_total") == WALK_EVENT_COUNT);
}

TEST_CASE("the frames map's fill is exported") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    CHECK(value(s, "agentmon_bpf_map_entries", {{"map", "frames"}}) == 5);
    CHECK(value(s, "agentmon_bpf_map_capacity", {{"map", "frames"}}) == 65536);
}

TEST_CASE("a budget of one folds the second label set into overflow and counts it dropped") {
    SocketPath metrics(AgentRegistry(), SeriesBudget({{"agent_transport_messages_total", 1}}));
    SocketReading r;
    // Admitted in label order: source_agent DIRECTOR sorts before SECURITY.
    set_raw_frames(r, {frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 10, 1680),
                       frames(3, 1, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 7, 1176)});
    const LabelSet overflow =
        transport("overflow", "overflow", "overflow", "overflow", "unix", "sent");
    // Twice: the same set stays folded and is counted once.
    for (int tick = 0; tick < 2; ++tick) {
        CAPTURE(tick);
        const Snapshot s = build(metrics, r);
        check_all(
            s,
            {
                {"agent_transport_messages_total",
                 transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "unix", "sent"), 10},
                {"agent_transport_messages_total", overflow, 7},
                // Another family, the default budget: both sets have their own series.
                {"agent_transport_bytes_total",
                 transport("SECURITY", "DIRECTOR", "REQUEST", "NORMAL", "unix", "sent"), 1176},
                {"agentmon_series_dropped_total",
                 {{"family", "agent_transport_messages_total"}},
                 1},
                {"agentmon_series_dropped_total", {{"family", "agent_transport_bytes_total"}}, 0},
            });
        CHECK(samples(s, "agent_transport_messages_total") == 2);
    }
}

TEST_CASE("the whole snapshot serialises as Prometheus text") {
    auto metrics = default_metrics();
    build(metrics, first_reading());
    const Snapshot s = build(metrics, second_reading());
    std::string text;
    CHECK_NOTHROW(text = prometheus::TextSerializer().Serialize(s.families));
    CHECK(text.find("# TYPE agent_transport_latency_seconds histogram") != std::string::npos);
    CHECK(text.find("agent_transport_latency_seconds_bucket{carrier=\"unix\",source_agent="
                    "\"DIRECTOR\",target_agent=\"SECURITY\",le=\"+Inf\"} 10") != std::string::npos);
    CHECK(text.find("agent_transport_throughput_mps{carrier=\"unix\"} 13") != std::string::npos);
}

TEST_CASE("agent signals: processing time and processed by agent, unanswered by type, intruders") {
    auto metrics = default_metrics();
    SocketReading r = first_reading();
    r.processing[3].buckets[0] = 4;  // SECURITY (id 3) answered four requests
    r.processing[3].sum = 4000;
    r.processing_by_agent.push_back({3, 3, r.processing[3]});
    r.unanswered[5] = 2;  // TESTBED left two unanswered
    IntruderEntry intruder;
    intruder.tgid = 4242;
    intruder.uid = 1000;
    intruder.target_type = 1;
    intruder.carrier = CARRIER_UNIX;
    intruder.frames = 9;
    intruder.comm = "intruder";
    r.intruders = {intruder};
    r.walk_events[WALK_SPOOFED_SOURCE] = 6;
    const Snapshot s = build(metrics, r);
    check_all(s,
              {
                  {"agent_unanswered_requests_total", {{"agent_type", "TESTBED"}}, 2},
                  {"agent_unanswered_requests_total", {{"agent_type", "DIRECTOR"}}, 0},
                  {"agent_transport_errors_total",
                   {{"carrier", "unix"}, {"direction", "received"}, {"error_type", "UNAUTHORIZED"}},
                   9},
                  {"agent_transport_errors_total",
                   {{"carrier", "all"}, {"direction", "sent"}, {"error_type", "SPOOFED_SOURCE"}},
                   6},
                  {"agent_unauthorized_frames_total",
                   {{"offender_comm", "intruder"},
                    {"offender_uid", "1000"},
                    {"target_agent", "DIRECTOR"},
                    {"carrier", "unix"}},
                   9},
              });
    CHECK(samples(s, "agent_unanswered_requests_total") == 28);
    // By the frames' target ids: SECURITY (id 3) received 15, DIRECTOR (id 1) 7.
    CHECK(value(s, "agent_messages_processed_total",
                {{"agent_type", "SECURITY"}, {"agent_id", "SECURITY"}}) == 15);
    CHECK(value(s, "agent_messages_processed_total",
                {{"agent_type", "DIRECTOR"}, {"agent_id", "DIRECTOR"}}) == 7);
    CHECK(samples(s, "agent_messages_processed_total") == 2);
    const auto* processing = family(s, "agent_processing_time_seconds");
    REQUIRE(processing != nullptr);
    REQUIRE(processing->metric.size() == 1);
    CHECK(labels_of(processing->metric[0]) ==
          LabelSet{{"agent_type", "SECURITY"}, {"agent_id", "SECURITY"}});
    CHECK(processing->metric[0].histogram.sample_count == 4);
    CHECK(processing->metric[0].histogram.sample_sum == doctest::Approx(4e-6));
}
