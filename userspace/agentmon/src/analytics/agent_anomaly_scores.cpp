#include "analytics/agent_anomaly_scores.h"

#include <algorithm>
#include <functional>
#include <iterator>

#include "base/enum_names.h"

namespace agentmon::analytics {

std::string_view agent_signal_name(AgentSignal signal) {
    constexpr std::string_view kNames[] = {"message_rate", "error_ratio", "latency_p99",
                                           "queue_depth", "cpu"};
    static_assert(std::size(kNames) == kAgentSignals);
    return enum_name(signal, kNames, "unknown");
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
