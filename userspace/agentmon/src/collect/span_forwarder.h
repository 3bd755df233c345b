#pragma once
// The socket path's spans, per tick: drains the kernel's span ring buffer
// (kernel/span_ring.h), turns each record into a Span (tracing/span.h), hands the
// spans to the exporter's queue (tracing/span_exporter.h, its own thread) and to
// an optional per-span hook, and writes the span counters into the snapshot. It
// runs in the socket collector's tick and never waits for the network.
#include <functional>
#include <memory>
#include <vector>

#include "base/result.h"
#include "config/tracing_config.h"
#include "kernel/socket_maps.h"
#include "kernel/span_ring.h"
#include "metrics/snapshot.h"
#include "model/agent_registry.h"
#include "tracing/span_exporter.h"

namespace agentmon {

class SpanForwarder {
  public:
    // `maps` and `registry` must outlive the forwarder.
    static Result<std::unique_ptr<SpanForwarder>> create(const TracingConfig& config,
                                                         const SocketMaps& maps,
                                                         const AgentRegistry& registry);

    // Called in the tick for every span, before export: where exemplars (or any
    // other per-span consumer) attach. Empty by default.
    void set_on_span(std::function<void(const Span&)> on_span) { on_span_ = std::move(on_span); }

    Status tick(SnapshotBuilder& out);

  private:
    SpanForwarder(std::unique_ptr<SpanRing> ring, const AgentRegistry& registry,
                  SpanExporterOptions options)
        : ring_(std::move(ring)), registry_(registry), exporter_(std::move(options)) {}

    std::unique_ptr<SpanRing> ring_;
    const AgentRegistry& registry_;
    SpanExporter exporter_;
    std::function<void(const Span&)> on_span_;
    std::size_t max_per_tick_ = 0;
    std::vector<span_record> records_;  // reused across ticks
};

}  // namespace agentmon
