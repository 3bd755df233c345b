#pragma once
// The socket path's part of each agent's AgentActivity: frames sent, ERROR
// frames sent, and the p99 processing time of its type over the last tick (the
// kernel measures processing time per responding type; with one instance per
// type that is the instance's). The analytics collector turns these into rates
// and anomaly scores.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "analytics/health.h"
#include "kernel/socket_reading.h"
#include "model/agent_registry.h"
#include "model/agent_tracker.h"

namespace agentmon {

// The q-quantile of a histogram (upper bounds in seconds; the last bucket is
// above every bound), interpolated linearly inside its bucket as Prometheus'
// histogram_quantile does. nullopt for an empty histogram.
std::optional<double> histogram_quantile_seconds(const HistogramReading& h,
                                                 const std::vector<double>& bounds_seconds,
                                                 double q);

// The agent state path's part: each tracked instance's process, CPU, run-queue
// wait and resident memory.
void post_agent_activity(const AgentTracker& tracker, AgentSignalBoard& board);

class ActivitySignals {
  public:
    ActivitySignals(const AgentRegistry& registry, std::vector<double> latency_bounds_seconds)
        : registry_(registry), bounds_(std::move(latency_bounds_seconds)) {}

    void post(const SocketReading& reading, AgentSignalBoard& board);

  private:
    const AgentRegistry& registry_;
    std::vector<double> bounds_;
    std::array<HistogramReading, AGENT_TYPE_SLOTS> processing_before_{};
};

}  // namespace agentmon
