#pragma once
// Turns the agent tracker's instances into the agent metric families: per
// instance {agent_type, agent_id} (through the series budget), per type
// {agent_type} (bounded: 28 values). Pure: tests feed a tracker hand-built ticks.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "abi/agent_state.h"
#include "analytics/health.h"
#include "metrics/family_table.h"
#include "metrics/series_budget.h"
#include "metrics/snapshot.h"
#include "model/agent_tracker.h"

namespace agentmon {

// The `le` bounds of agent_runqueue_delay_seconds: 2^i us for the kernel's slots
// below the last (which counts everything above them).
std::vector<double> runq_bounds_seconds();

// The kernel path's own figures, for the self metrics.
struct AgentPathStats {
    std::array<std::uint64_t, AGENT_EV_COUNT> events{};
    std::uint64_t procs_entries = 0;
    std::uint64_t procs_capacity = AGENT_PROCS_MAX;
};

class AgentMetrics {
  public:
    explicit AgentMetrics(SeriesBudget budget) : budget_(std::move(budget)) {}

    // Every agent family, in a fixed order with samples sorted by labels.
    void build(const AgentTracker& tracker, const AgentSignalBoard& signals,
               const AgentPathStats& stats, SnapshotBuilder& out);

  private:
    SeriesBudget budget_;
};

}  // namespace agentmon
