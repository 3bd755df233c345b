#include "collect/tick_context.h"

#include "metrics/socket_metrics.h"

namespace agentmon {

TickContext::TickContext(const Config& config)
    : registry(config.socket.agents),
      budget(std::make_shared<SeriesBudget>(
          config.socket.series_budget, config.socket.series_budget_default, config.socket.labels)) {
}

void TickContext::end_tick(SnapshotBuilder& out, Logger& log) const {
    for (const auto& family : budget->take_first_overflows())
        log.warn("series budget exceeded: new label sets fold into the overflow series",
                 {{"family", family}, {"limit", std::to_string(budget->limit(family))}});
    // Here, not in one path's metrics: with the socket path off, the ring path's
    // drops were never reported.
    emit_series_dropped(*budget, budgeted_families(), out);
}

}  // namespace agentmon
