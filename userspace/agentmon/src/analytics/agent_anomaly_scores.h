#pragma once
// The live anomaly scores of one agent process: one AnomalyDetector per signal
// (message rate, error ratio, latency p99, queue depth, CPU), each fed once per
// tick, and the agent's anomaly evidence for the failure predictor. A signal
// absent in a tick (no traffic, a path off) is not fed and keeps no score.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "analytics/anomaly_detector.h"

namespace agentmon::analytics {

enum class AgentSignal : std::size_t {
    message_rate,
    error_ratio,
    latency_p99,
    queue_depth,
    cpu,
    count
};
inline constexpr std::size_t kAgentSignals = static_cast<std::size_t>(AgentSignal::count);
std::string_view agent_signal_name(AgentSignal signal);

using AgentSignalValues = std::array<std::optional<double>, kAgentSignals>;

class AgentAnomalyScores {
  public:
    explicit AgentAnomalyScores(const AnomalyDetectorConfig& config = {});

    // Scores the signals present in `values`; returns every signal's score this
    // tick (nullopt for one not fed).
    AgentSignalValues update(double seconds, const AgentSignalValues& values);

    // Mean of the two highest scores of the last tick: one odd signal is weak
    // evidence that the agent is unwell, two are stronger.
    double evidence() const { return evidence_; }

  private:
    std::array<AnomalyDetector, kAgentSignals> detectors_;
    double evidence_ = 0;
};

}  // namespace agentmon::analytics
