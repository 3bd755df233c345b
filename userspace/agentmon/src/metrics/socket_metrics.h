#pragma once
// Turns one tick's SocketReading into the transport metric families of
// docs/metrics.md: raw ids become names (labels never carry numbers), raw keys that share a
// label set are summed, the series budget applies, and rates come from the
// previous tick. Pure: tests feed hand-built readings.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/socket_reading.h"
#include "metrics/interned_series.h"
#include "metrics/series_budget.h"
#include "metrics/snapshot.h"
#include "metrics/transport_families.h"
#include "model/agent_registry.h"

namespace agentmon {

// The families the socket and ring paths pass through the tick context's series
// budget (FamilyBudget::transport in the family table): the names a config's
// "series_budget" may list.
const std::vector<std::string>& budgeted_families();

// The `le` bounds the kernel's histograms were built with (the kernel holds them
// in ns and bytes): the config's latency_buckets_seconds and size_buckets_bytes.
struct HistogramBounds {
    std::vector<double> latency_seconds;  // increasing
    std::vector<double> size_bytes;       // increasing
};

class SocketMetrics {
  public:
    SocketMetrics(AgentRegistry registry, HistogramBounds bounds, SeriesBudget budget)
        : SocketMetrics(std::move(registry), std::move(bounds),
                        std::make_shared<SeriesBudget>(std::move(budget))) {}
    // `budget`: the one budget of the tick context, shared with the ring path.
    SocketMetrics(AgentRegistry registry, HistogramBounds bounds,
                  std::shared_ptr<SeriesBudget> budget)
        : registry_(std::move(registry)), bounds_(std::move(bounds)), budget_(std::move(budget)) {}

    // The budget the transport families are admitted through, for the other
    // transport collectors (the ring path) to share: one limit per family.
    std::shared_ptr<SeriesBudget> budget() const { return budget_; }

    // Appends every socket-path family to `out`, in a fixed order with samples
    // sorted by labels, and remembers `now` for the next call's rates.
    void build(const SocketReading& now, SnapshotBuilder& out);

  private:
    void transport_counters(const SocketReading& now, SnapshotBuilder& out);
    void rates(const SocketReading& now, SnapshotBuilder& out);
    void histograms(const SocketReading& now, SnapshotBuilder& out);
    void errors(const SocketReading& now, SnapshotBuilder& out);
    void agent_signals(const SocketReading& now, SnapshotBuilder& out);
    void self_metrics(const SocketReading& now, SnapshotBuilder& out);

    AgentRegistry registry_;
    HistogramBounds bounds_;
    std::shared_ptr<SeriesBudget> budget_;
    InternedSeries messages_{"agent_transport_messages_total", kTransportLabelKeys};
    InternedSeries bytes_{"agent_transport_bytes_total", kTransportLabelKeys};
    // Received frames at the previous reading, for the per-second gauges.
    struct Received {
        double seconds = 0;
        std::map<std::uint32_t, double> by_carrier;  // by enum carrier
        std::map<std::uint32_t, double> by_pair;     // source type << 8 | target type
    };
    std::optional<Received> previous_;
};

}  // namespace agentmon
