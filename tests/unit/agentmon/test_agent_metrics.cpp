// AgentMetrics on hand-built ticks: instance labels (type and instance name),
// system_active_agents with all 28 types, the run-queue histogram per type in
// seconds, health from the tracker's and other collectors' inputs, and the series
// budget folding instances into the overflow series.
#include <doctest/doctest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "config/socket_config.h"
#include "metrics/agent_metrics.h"
#include "snapshot_lookup.h"

using namespace agentmon;

namespace {

AgentTick two_monitors_and_a_director() {
    AgentTick t;
    t.seconds = 1;
    ProcSample a, b, c;
    a.tgid = 100, a.start_ns = 1, a.cpu_ns = 2'000'000'000;
    b.tgid = 200, b.start_ns = 2;
    c.tgid = 300, c.start_ns = 3;
    a.runq.buckets[0] = 3;               // three waits <= 1 us
    a.runq.buckets[RUNQ_SLOTS - 1] = 1;  // one above every bound
    a.runq.sum_ns = 40'000'000'000;
    t.procs = {a, b, c};
    t.identities = {
        {100, {10, 10, "", "", ""}}, {200, {10, 10, "", "", ""}}, {300, {1, 1, "abc", "p", "ns"}}};
    return t;
}

Snapshot build(AgentTracker& tracker, SeriesBudget budget = {}, AgentSignalBoard signals = {}) {
    AgentMetrics metrics(std::move(budget));
    SnapshotBuilder out;
    metrics.build(tracker, signals, AgentPathStats{}, out);
    return std::move(out).build();
}

}  // namespace

TEST_CASE("instances are labelled by type and instance name") {
    AgentTracker tracker{AgentRegistry{}};
    tracker.update(two_monitors_and_a_director());
    auto s = build(tracker);
    const LabelSet monitor{{"agent_type", "MONITOR"}, {"agent_id", "MONITOR"}};
    const LabelSet monitor_1{{"agent_type", "MONITOR"}, {"agent_id", "MONITOR_1"}};
    CHECK(value(s, "agent_status", monitor) == 1);
    CHECK(value(s, "agent_status", monitor_1) == 1);
    CHECK(value(s, "agent_cpu_seconds_total", monitor) == 2);
    CHECK(value(s, "agent_restarts_total", monitor_1) == 0);
    CHECK(value(s, "agent_process_id", monitor) == 100);
    CHECK(value(s, "agent_process_id", monitor_1) == 200);
    CHECK_FALSE(value(s, "agent_last_exit_code", monitor).has_value());  // never ended
    CHECK(value(s, "agent_info",
                {{"agent_type", "DIRECTOR"},
                 {"agent_id", "DIRECTOR"},
                 {"container", "abc"},
                 {"pod", "p"},
                 {"namespace", "ns"}}) == 1);
    LabelSet memory = monitor;
    memory["resource"] = "memory";
    CHECK(value(s, "agent_resource_usage", memory) == 0);
}

TEST_CASE("system_active_agents has all 28 types, zeros included") {
    AgentTracker tracker{AgentRegistry{}};
    tracker.update(two_monitors_and_a_director());
    auto s = build(tracker);
    REQUIRE(family(s, "system_active_agents"));
    CHECK(family(s, "system_active_agents")->metric.size() == 28);
    CHECK(value(s, "system_active_agents", {{"agent_type", "MONITOR"}}) == 2);
    CHECK(value(s, "system_active_agents", {{"agent_type", "DIRECTOR"}}) == 1);
    CHECK(value(s, "system_active_agents", {{"agent_type", "ARCHITECT"}}) == 0);
}

TEST_CASE("run-queue histogram per type: cumulative buckets, +Inf = count, sum in seconds") {
    AgentTracker tracker{AgentRegistry{}};
    tracker.update(two_monitors_and_a_director());
    auto s = build(tracker);
    const auto* f = family(s, "agent_runqueue_delay_seconds");
    REQUIRE(f);
    const prometheus::ClientMetric* monitor = nullptr;
    for (const auto& m : f->metric)
        if (m.label[0].value == "MONITOR") monitor = &m;
    REQUIRE(monitor);
    const auto& buckets = monitor->histogram.bucket;
    REQUIRE(buckets.size() == RUNQ_SLOTS);
    CHECK(buckets[0].upper_bound == doctest::Approx(1e-6));
    CHECK(buckets[0].cumulative_count == 3);
    CHECK(buckets[RUNQ_SLOTS - 2].upper_bound == doctest::Approx(33.554432));
    CHECK(buckets[RUNQ_SLOTS - 2].cumulative_count == 3);
    CHECK(buckets.back().upper_bound == std::numeric_limits<double>::infinity());
    CHECK(buckets.back().cumulative_count == 4);
    CHECK(monitor->histogram.sample_count == 4);
    CHECK(monitor->histogram.sample_sum == doctest::Approx(40));
}

TEST_CASE("health: 0 for a failed agent, other collectors' inputs count") {
    AgentTracker tracker{AgentRegistry{}};
    auto t = two_monitors_and_a_director();
    tracker.update(t);
    t.seconds = 2;
    t.procs[1].exited = true;
    t.procs[1].exit_code = 9;
    tracker.update(t);
    AgentSignalBoard signals;
    signals.by_agent[1].queue_depth = 500;  // DIRECTOR: 30 points
    auto s = build(tracker, {}, signals);
    CHECK(value(s, "agent_health_score", {{"agent_type", "MONITOR"}, {"agent_id", "MONITOR_1"}}) ==
          0);
    CHECK(value(s, "agent_status", {{"agent_type", "MONITOR"}, {"agent_id", "MONITOR_1"}}) == 4);
    CHECK(value(s, "agent_last_exit_signal",
                {{"agent_type", "MONITOR"}, {"agent_id", "MONITOR_1"}}) == 9);
    CHECK(value(s, "agent_health_score", {{"agent_type", "DIRECTOR"}, {"agent_id", "DIRECTOR"}}) ==
          70);
    CHECK(value(s, "system_active_agents", {{"agent_type", "MONITOR"}}) == 1);
}

TEST_CASE("a budget of two per family folds the third instance into overflow and counts it") {
    AgentTracker tracker{AgentRegistry{}};
    tracker.update(two_monitors_and_a_director());
    auto s = build(tracker, SeriesBudget({}, 2));
    CHECK(family(s, "agent_status")->metric.size() == 3);  // two kept + overflow
    CHECK(value(s, "agent_status", {{"agent_type", "overflow"}, {"agent_id", "overflow"}}) ==
          1);  // the fold of one running instance
    CHECK(value(s, "agentmon_series_dropped_total", {{"family", "agent_status"}}) == 1);
    CHECK(value(s, "agentmon_series_dropped_total", {{"family", "agent_health_score"}}) == 1);
    // Per-type families are bounded by construction and not budgeted.
    CHECK(family(s, "system_active_agents")->metric.size() == 28);
}

TEST_CASE("the config's series_budget accepts every budgeted agent family") {
    for (const auto& family : agent_budgeted_families()) {
        SocketConfig config;
        std::vector<std::string> problems;
        apply_socket_config(nlohmann::json{{"series_budget", {{family, 7u}}}}, config, problems);
        CAPTURE(family);
        CHECK_MESSAGE(problems.empty(), (problems.empty() ? "" : problems[0]));
        CHECK(config.series_budget[family] == 7);
    }
}
