#pragma once
// The socket and ring paths' metrics with what the tick context gives them (one
// series budget, one transport sink), one tick built the way the collection loop
// builds it, and checks of the snapshot it makes (lookups: snapshot_lookup.h).
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics/default_buckets.h"
#include "metrics/ring_metrics.h"
#include "metrics/socket_metrics.h"
#include "snapshot_lookup.h"

using namespace agentmon;

namespace {

inline HistogramBounds test_bounds() { return {{0.001, 0.01, 0.1}, {64, 256}}; }

inline std::shared_ptr<TransportSink> make_sink(SeriesBudget budget = {},
                                                HistogramBounds bounds = test_bounds()) {
    return std::make_shared<TransportSink>(std::make_shared<SeriesBudget>(std::move(budget)),
                                           std::move(bounds));
}

// What the collection loop appends at the end of a tick (TickContext::end_tick).
inline void end_tick(TransportSink& sink, SnapshotBuilder& out) {
    sink.emit(out);
    emit_series_dropped(sink.budget(), budgeted_families(), out);
}

struct SocketPath {
    explicit SocketPath(AgentRegistry registry = AgentRegistry(), SeriesBudget budget = {},
                        HistogramBounds bounds = test_bounds())
        : sink(make_sink(std::move(budget), std::move(bounds))),
          metrics(std::move(registry), sink) {}
    std::shared_ptr<TransportSink> sink;
    SocketMetrics metrics;
};

struct RingPath {
    explicit RingPath(AgentRegistry registry = AgentRegistry(), SeriesBudget budget = {},
                      HistogramBounds bounds = {{0.001, 0.01, 0.1}, default_size_buckets()})
        : sink(make_sink(std::move(budget), std::move(bounds))),
          metrics(std::move(registry), sink) {}
    std::shared_ptr<TransportSink> sink;
    RingMetrics metrics;
};

inline Snapshot build(SocketPath& path, const SocketReading& reading) {
    SnapshotBuilder out;
    path.metrics.build(reading, out);
    end_tick(*path.sink, out);
    return std::move(out).build();
}

inline Snapshot build(RingPath& path, const std::vector<RingObservation>& rings, double now) {
    SnapshotBuilder out;
    path.metrics.build(rings, now, out);
    end_tick(*path.sink, out);
    return std::move(out).build();
}

const char* const kMessages = "agent_transport_messages_total";
const char* const kBytes = "agent_transport_bytes_total";

// The frames and bytes counted under one transport label set.
inline void check_counts(const Snapshot& s, const LabelSet& labels, double frames, double bytes) {
    CAPTURE(labels.at("source_agent") + " -> " + labels.at("target_agent"));
    CHECK(value(s, kMessages, labels) == std::optional<double>(frames));
    CHECK(value(s, kBytes, labels) == std::optional<double>(bytes));
}

}  // namespace
