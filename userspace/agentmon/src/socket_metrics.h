#pragma once
// Turns one tick's SocketReading into the transport metric families of DESIGN.md
// 2.3: raw ids become agent type names, several raw keys that share a label set
// are summed, the series budget applies, and rates come from the previous tick.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "agent_registry.h"
#include "collector.h"
#include "series_budget.h"
#include "socket_reading.h"

namespace agentmon {

struct HistogramBounds {
    std::vector<double> latency_seconds;  // Prometheus le values, increasing
    std::vector<double> size_bytes;
};

class SocketMetrics {
  public:
    SocketMetrics(AgentRegistry registry, HistogramBounds bounds, SeriesBudget budget)
        : registry_(std::move(registry)), bounds_(std::move(bounds)), budget_(std::move(budget)) {}

    void build(const SocketReading& now, SnapshotBuilder& out);

  private:
    void transport_counters(const SocketReading& now, SnapshotBuilder& out);
    void rates(const SocketReading& now, SnapshotBuilder& out);
    void histograms(const SocketReading& now, SnapshotBuilder& out);
    void errors(const SocketReading& now, SnapshotBuilder& out);

    AgentRegistry registry_;
    HistogramBounds bounds_;
    SeriesBudget budget_;
    std::optional<SocketReading> previous_;
};

}  // namespace agentmon
