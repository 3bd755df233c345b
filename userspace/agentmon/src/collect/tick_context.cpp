#include "collect/tick_context.h"

#include "metrics/family_table.h"

namespace agentmon {

namespace {

// The histograms a sampled span observes into, both in the latency buckets.
ExemplarStoreOptions exemplar_options(const Config& config) {
    ExemplarStoreOptions options;
    for (Family family :
         {Family::agent_transport_latency_seconds, Family::agent_processing_time_seconds})
        options.bounds.emplace(spec(family).name, config.socket.latency_buckets_seconds);
    options.selection = config.socket.labels;
    return options;
}

}  // namespace

TickContext::TickContext(const Config& config)
    : registry(config.socket.agents),
      budget(std::make_shared<SeriesBudget>(
          config.socket.series_budget, config.socket.series_budget_default, config.socket.labels)),
      transport(std::make_shared<TransportSink>(
          budget, HistogramBounds{config.socket.latency_buckets_seconds,
                                  config.socket.size_buckets_bytes})),
      exemplars(std::make_shared<ExemplarStore>(exemplar_options(config))) {}

void TickContext::begin_tick() {
    signals->by_agent.clear();
    signals->activity.clear();
    signals->ring_fill.clear();
    signals->sends_by_carrier.clear();
    transport->clear();
}

void TickContext::end_tick(SnapshotBuilder& out, Logger& log) const {
    transport->emit(out);  // first: its admissions are what the lines below report
    for (const auto& family : budget->take_first_overflows())
        log.warn("series budget exceeded: new label sets fold into the overflow series",
                 {{"family", family}, {"limit", std::to_string(budget->limit(family))}});
    // Here, not in one path's metrics: with the socket path off, the ring path's
    // drops were never reported.
    emit_series_dropped(*budget, budgeted_families(), out);
}

}  // namespace agentmon
