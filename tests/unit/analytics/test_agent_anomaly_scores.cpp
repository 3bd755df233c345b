// One agent's anomaly scores: quiet on a steady agent, a spike scored on its own
// signal at its tick, absent signals not scored.
#include <doctest/doctest.h>

#include "analytics/agent_anomaly_scores.h"

using namespace agentmon::analytics;

namespace {
AgentSignalValues steady(int t) {
    AgentSignalValues v{};
    v[static_cast<std::size_t>(AgentSignal::message_rate)] = 1000 + (t % 7) * 5;
    v[static_cast<std::size_t>(AgentSignal::error_ratio)] = 0.03 + (t % 3) * 0.001;
    v[static_cast<std::size_t>(AgentSignal::latency_p99)] = 0.001 + (t % 5) * 0.00005;
    v[static_cast<std::size_t>(AgentSignal::cpu)] = 0.2 + (t % 4) * 0.01;
    return v;  // no queue depth: that path is off
}
}  // namespace

TEST_CASE("agent anomaly scores: quiet on a steady agent, loud on a spike, absent stays absent") {
    AnomalyDetectorConfig config;
    config.warmup_points = 60;
    AgentAnomalyScores scores(config);
    double quiet = 0;
    for (int t = 0; t < 400; ++t) {
        auto s = scores.update(t, steady(t));
        CHECK_FALSE(s[static_cast<std::size_t>(AgentSignal::queue_depth)]);
        if (t > 60) quiet = std::max(quiet, *s[static_cast<std::size_t>(AgentSignal::latency_p99)]);
    }
    CHECK(quiet < 0.5);
    auto spike = steady(400);
    spike[static_cast<std::size_t>(AgentSignal::latency_p99)] = 0.05;
    auto s = scores.update(400, spike);
    CHECK(*s[static_cast<std::size_t>(AgentSignal::latency_p99)] > 0.8);
    CHECK(*s[static_cast<std::size_t>(AgentSignal::message_rate)] < 0.5);
    CHECK(scores.evidence() > 0.4);
    CHECK(agent_signal_name(AgentSignal::queue_depth) == "queue_depth");
}
