#include "analytics/agent_anomaly_scores.h"

#include <algorithm>
#include <functional>

namespace agentmon::analytics {

std::string_view agent_signal_name(AgentSignal signal) {
    switch (signal) {
        case AgentSignal::message_rate:
            return "message_rate";
        case AgentSignal::error_ratio:
            return "error_ratio";
        case AgentSignal::latency_p99:
            return "latency_p99";
        case AgentSignal::queue_depth:
            return "queue_depth";
        case AgentSignal::cpu:
            return "cpu";
        case AgentSignal::count:
            break;
    }
    return "unknown";
}

AgentAnomalyScores::AgentAnomalyScores(const AnomalyDetectorConfig& config)
    : detectors_{AnomalyDetector(config), AnomalyDetector(config), AnomalyDetector(config),
                 AnomalyDetector(config), AnomalyDetector(config)} {}

AgentSignalValues AgentAnomalyScores::update(double seconds, const AgentSignalValues& values) {
    AgentSignalValues scores{};
    std::array<double, kAgentSignals> ranked{};
    for (std::size_t i = 0; i < kAgentSignals; ++i) {
        if (!values[i]) continue;
        scores[i] = detectors_[i].update(seconds, *values[i]);
        ranked[i] = *scores[i];
    }
    std::sort(ranked.begin(), ranked.end(), std::greater<>());
    evidence_ = (ranked[0] + ranked[1]) / 2;
    return scores;
}

}  // namespace agentmon::analytics
