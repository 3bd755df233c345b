#pragma once
// Turns one tick's SocketReading into the transport metric families of
// docs/metrics.md: raw ids become names (labels never carry numbers), raw keys that
// share a label set are summed, and rates come from the previous tick. The
// transport samples go to the tick's TransportSink (which budgets and emits them
// once, with the ring path's); the socket path's own self metrics go straight to
// the snapshot. Pure: tests feed hand-built readings.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel/socket_reading.h"
#include "metrics/snapshot.h"
#include "metrics/transport_sink.h"
#include "model/agent_registry.h"

namespace agentmon {

class SocketMetrics {
  public:
    // `sink`: the tick context's, shared with the ring path.
    SocketMetrics(AgentRegistry registry, std::shared_ptr<TransportSink> sink)
        : registry_(std::move(registry)), sink_(std::move(sink)) {}

    // Writes this reading's transport samples into the sink and appends the
    // socket path's self metrics to `out`; remembers `now` for the next rates.
    void build(const SocketReading& now, SnapshotBuilder& out);

  private:
    void transport_counters(const SocketReading& now);
    void rates(const SocketReading& now);
    void histograms(const SocketReading& now);
    void errors(const SocketReading& now);
    void agent_signals(const SocketReading& now);
    void processing_time(const SocketReading& now);
    void messages_processed(const SocketReading& now);
    static void self_metrics(const SocketReading& now, SnapshotBuilder& out);

    AgentRegistry registry_;
    std::shared_ptr<TransportSink> sink_;
    // Received frames at the previous reading, for the per-second gauges.
    struct Received {
        double seconds = 0;
        std::map<std::uint32_t, double> by_carrier;  // by enum carrier
        std::map<std::uint32_t, double> by_pair;     // source type << 8 | target type
    };
    std::optional<Received> previous_;
    // The histograms' label sets by their kernel slot's fields: the names never
    // change, so each set is built once instead of every tick.
    const LabelSet& latency_labels(const LatencyEntry& e);
    const LabelSet& size_labels(const SizeEntry& e);
    std::unordered_map<std::uint64_t, LabelSet> latency_labels_, size_labels_;
};

}  // namespace agentmon
