// The analytics collector on a hand-filled signal board: the families it emits
// and their labels, series gone with the agent's process, a fresh predictor for a
// restarted process, error counters that never go backwards; its config section;
// the /proc parsers behind the system families.
#include <doctest/doctest.h>

#include <set>

#include "collect/analytics_collector.h"
#include "collect/system_usage.h"
#include "snapshot_lookup.h"

using namespace agentmon;

namespace {

std::string label(const prometheus::ClientMetric& m, const std::string& key) {
    for (const auto& l : m.label)
        if (l.name == key) return l.value;
    return "";
}

// An analytics collector over the tick context of a default config.
struct CollectorOnDefaults {
    Config config;
    std::shared_ptr<TickContext> context = std::make_shared<TickContext>(config);
    AnalyticsCollector collector{config, context};
};

// The snapshot of one collection at `t` seconds, from what the board holds now.
Snapshot collected_at(AnalyticsCollector& collector, double t) {
    SnapshotBuilder out;
    collector.collect_at(t, out);
    return std::move(out).build();
}

// One tick of a board with the given agents (id -> tgid), each sending 1000 frames
// a second of which 30 are ERROR frames.
Snapshot tick(AnalyticsCollector& collector, TickContext& context, double t,
              const std::map<std::uint32_t, std::uint32_t>& agents, std::uint64_t errors = 0) {
    context.begin_tick();
    for (const auto& [id, tgid] : agents) {
        AgentActivity& a = context.signals->activity[id];
        a.seen_by_agent_path = true;
        a.type = context.registry.type_of(id);
        a.tgid = tgid;
        a.cpu_fraction = 0.2;
        a.resident_bytes = 8 << 20;
        a.frames_sent = static_cast<std::uint64_t>(1000 * t);
        a.error_frames_sent = static_cast<std::uint64_t>(30 * t) + errors;
        a.failed_calls = 2;
        a.latency_p99_seconds = 0.001;
        context.signals->by_agent[id].queue_depth = 2;
    }
    return collected_at(collector, t);
}

}  // namespace

TEST_CASE_FIXTURE(CollectorOnDefaults,
                  "analytics collector: scores per agent and signal, gone with the process") {
    const std::uint32_t a = 1, b = 2;
    Snapshot s;
    for (int t = 0; t < 5; ++t) s = tick(collector, *context, t, {{a, 100}, {b, 200}});
    const auto* anomaly = family(s, "anomaly_detection_score");
    REQUIRE(anomaly);
    std::set<std::string> signals;
    for (const auto& m : anomaly->metric) signals.insert(label(m, "signal"));
    CHECK(signals == std::set<std::string>{"message_rate", "error_ratio", "latency_p99",
                                           "queue_depth", "cpu", "system"});
    const auto* prediction = family(s, "failure_prediction_score");
    REQUIRE(prediction);
    CHECK(prediction->metric.size() == 2);
    CHECK(label(prediction->metric[0], "agent_id") == context->registry.instance_name(a));
    CHECK(family(s, "failure_prediction_evidence")->metric.size() == 6);
    CHECK(family(s, "performance_bottlenecks"));

    // b's process ends: its series go; the error counter stays.
    s = tick(collector, *context, 5, {{a, 100}});
    CHECK(family(s, "failure_prediction_score")->metric.size() == 1);
    for (const auto& m : family(s, "anomaly_detection_score")->metric)
        CHECK(label(m, "agent_id") != context->registry.instance_name(b));
}

TEST_CASE_FIXTURE(
    CollectorOnDefaults,
    "analytics collector: agent_errors_total grows by the increase, never backwards") {
    double last = -1;
    for (int t = 1; t < 6; ++t) {
        // At t = 4 the kernel's counts restart from a small number (a recreated map).
        const std::uint64_t offset = t >= 4 ? 0 : 500;
        context->begin_tick();
        AgentActivity& act = context->signals->activity[1];
        act.frames_sent = 1000;
        act.error_frames_sent = offset + static_cast<std::uint64_t>(t);
        const auto s = collected_at(collector, t);
        const auto* errors = family(s, "agent_errors_total");
        REQUIRE(errors);
        double replies = -1;
        for (const auto& m : errors->metric)
            if (label(m, "error_type") == "error_reply") replies = m.counter.value;
        CHECK(replies >= last);
        last = replies;
    }
    // 501 at the first tick, +1, +1, then 4 (the recreated map, taken whole), +1.
    CHECK(last == doctest::Approx(508));
}

TEST_CASE("analytics config: horizon, capacities, and errors naming the field") {
    Config config;
    std::vector<std::string> problems;
    apply_config_json(R"({"analytics": {"prediction_horizon": "2m", "cpu_cores": 4,
                          "expected_throughput_mps": 1e6, "anomaly_warmup_points": 30}})",
                      config, problems);
    CHECK(problems.empty());
    CHECK(config.analytics.prediction_horizon == std::chrono::minutes(2));
    CHECK(config.analytics.cpu_cores == 4);
    CHECK(config.analytics.expected_throughput_mps == 1e6);
    CHECK(config.analytics.anomaly_warmup_points == 30);
    apply_config_json(R"({"analytics": {"prediction_horizon": 5, "cpu_cores": -1, "x": 1}})",
                      config, problems);
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].rfind("analytics.cpu_cores", 0) == 0);
    problems.clear();
    apply_config_json(R"({"analytics": false})", config, problems);
    CHECK_FALSE(config.analytics.enabled);
    config.analytics.prediction_horizon = std::chrono::seconds(1);
    CHECK(config.validate().size() == 1);
}

TEST_CASE("system usage: /proc/stat's cpu line and /proc/meminfo") {
    auto j = parse_cpu_line("cpu  100 5 50 800 20 3 2 0 0 0");
    REQUIRE(j);
    CHECK(j->total == 980);
    CHECK(j->busy == 160);
    CHECK_FALSE(parse_cpu_line("cpu0 1 2 3 4"));
    auto m = parse_meminfo("MemTotal:       16000 kB\nMemFree: 1000 kB\nMemAvailable:   4000 kB\n");
    REQUIRE(m);
    CHECK(m->total_bytes == 16000.0 * 1024);
    CHECK(m->available_bytes == 4000.0 * 1024);
    CHECK_FALSE(parse_meminfo("MemTotal: 1 kB\n"));
}

TEST_CASE("bottleneck severities: 0 below saturation, 1 at the health score's top step") {
    CHECK(queue_severity(0) == 0);
    CHECK(queue_severity(50) == doctest::Approx(0.5));
    CHECK(queue_severity(1000) == 1);
    CHECK(cpu_severity(0.5) == 0);
    CHECK(cpu_severity(0.8) == doctest::Approx(0.5));
    CHECK(cpu_severity(1.2) == 1);
    CHECK(runqueue_severity(0.0005) == 0);
    CHECK(runqueue_severity(0.050) == doctest::Approx(1));
    CHECK(ring_severity(0.25) == 0);
    CHECK(ring_severity(1.0) == 1);
    CHECK(socket_buffer_severity(0, 1000) == 0);
    CHECK(socket_buffer_severity(5, 100) == doctest::Approx(0.5));
    CHECK(socket_buffer_severity(3, 0) == 1);
}

TEST_CASE_FIXTURE(CollectorOnDefaults,
                  "analytics collector: socket_buffer severity from the tick's refused sends") {
    double severity = -1;
    for (int t = 0; t < 3; ++t) {
        context->begin_tick();
        // 1000 frames a tick, 20 refused sends a tick on unix.
        context->signals->sends_by_carrier["unix"] = {1000u * t, 20u * t};
        const auto s = collected_at(collector, t);
        if (const auto* f = family(s, "performance_bottlenecks"))
            for (const auto& m : f->metric)
                if (label(m, "resource") == "socket_buffer") severity = m.gauge.value;
    }
    CHECK(severity == doctest::Approx(0.2));
}
