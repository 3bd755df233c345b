#pragma once
// What the collectors of one tick share, owned by the collection loop: the agent
// tasks discovery scanned, the agent registry built from the config, the one
// series budget every path admits label sets through, the transport sink the
// socket and ring paths write their transport samples into, and the board of
// health inputs the transport paths leave for the agent collector, and the store
// of exemplars the span reader feeds and the OpenMetrics exposition reads. The loop calls
// begin_tick() before the first collector and end_tick() after the last, so no
// collector's correctness depends on whether it runs first or last.
#include <memory>

#include "analytics/health.h"
#include "base/log.h"
#include "collect/discovery_collector.h"
#include "config/config.h"
#include "metrics/exemplar_store.h"
#include "metrics/series_budget.h"
#include "metrics/snapshot.h"
#include "metrics/transport_sink.h"
#include "model/agent_registry.h"

namespace agentmon {

struct TickContext {
    // The registry from config.socket.agents, the budget from its series_budget,
    // the sink's histogram bounds from its latency and size buckets, the
    // exemplar store's from the latency buckets and its labels.
    explicit TickContext(const Config& config);

    std::shared_ptr<const AgentTaskView> tasks = std::make_shared<AgentTaskView>();
    AgentRegistry registry;
    std::shared_ptr<SeriesBudget> budget;
    std::shared_ptr<TransportSink> transport;
    std::shared_ptr<AgentSignalBoard> signals = std::make_shared<AgentSignalBoard>();
    // Outlives ticks: an exemplar stays until a newer one replaces it or it expires.
    std::shared_ptr<ExemplarStore> exemplars;

    // Clears what the last tick left on the signal board and in the sink.
    void begin_tick();
    // Appends what belongs to the whole tick: every transport family, once, from
    // the sink; agentmon_series_dropped_total for every budgeted family,
    // whichever paths admitted through the budget; and a log line for each family
    // that overflowed for the first time.
    void end_tick(SnapshotBuilder& out, Logger& log) const;
};

}  // namespace agentmon
