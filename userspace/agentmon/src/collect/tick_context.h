#pragma once
// What the collectors of one tick share, owned by the collection loop: the agent
// tasks discovery scanned, the agent registry built from the config, the one
// series budget every path admits label sets through, and the board of health
// inputs the transport paths leave for the agent collector. The loop calls
// begin_tick() before the first collector and end_tick() after the last, so no
// collector's correctness depends on whether it runs first or last.
#include <memory>

#include "analytics/health.h"
#include "base/log.h"
#include "collect/discovery_collector.h"
#include "config/config.h"
#include "metrics/series_budget.h"
#include "metrics/snapshot.h"
#include "model/agent_registry.h"

namespace agentmon {

struct TickContext {
    // The registry from config.socket.agents, the budget from its series_budget.
    explicit TickContext(const Config& config);

    std::shared_ptr<const AgentTaskView> tasks = std::make_shared<AgentTaskView>();
    AgentRegistry registry;
    std::shared_ptr<SeriesBudget> budget;
    std::shared_ptr<AgentSignalBoard> signals = std::make_shared<AgentSignalBoard>();

    // Clears what the last tick left on the signal board.
    void begin_tick() {
        signals->by_agent.clear();
        signals->activity.clear();
        signals->ring_fill.clear();
        signals->sends_by_carrier.clear();
    }
    // Appends what belongs to the whole tick: agentmon_series_dropped_total for
    // every budgeted family, whichever paths admitted through the budget, and a
    // log line for each family that overflowed for the first time.
    void end_tick(SnapshotBuilder& out, Logger& log) const;
};

}  // namespace agentmon
