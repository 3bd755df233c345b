#include "collect/span_forwarder.h"

namespace agentmon {

Result<std::unique_ptr<SpanForwarder>> SpanForwarder::create(const TracingConfig& config,
                                                             const SocketMaps& maps,
                                                             const AgentRegistry& registry) {
    auto ring = SpanRing::open(maps.spans_fd(), maps.span_stats_fd(), maps.ncpus());
    if (!ring) return ring.error();
    SpanExporterOptions options;
    options.endpoint = config.endpoint;
    options.queue_spans = config.queue_spans;
    std::unique_ptr<SpanForwarder> forwarder(
        new SpanForwarder(std::move(ring).value(), registry, std::move(options)));
    // A tick takes at most a queue's worth; more waits in the ring buffer (whose
    // own overflow the kernel counts) for the next tick.
    forwarder->max_per_tick_ = config.queue_spans;
    return forwarder;
}

Status SpanForwarder::tick(SnapshotBuilder& out) {
    records_.clear();
    auto drained = ring_->drain(records_, max_per_tick_);
    if (!drained) return drained.error();
    std::vector<Span> spans;
    spans.reserve(records_.size());
    const std::int64_t offset = unix_minus_monotonic_ns();
    for (const span_record& r : records_) {
        spans.push_back(to_span(r, registry_, offset));
        if (on_span_) on_span_(spans.back());
    }
    exporter_.offer(std::move(spans));

    const std::vector<std::uint64_t> kernel = ring_->stats();
    out.add(Family::agentmon_spans_exported_total, static_cast<double>(exporter_.exported()));
    out.add(Family::agentmon_spans_dropped_total, static_cast<double>(kernel[SPAN_RINGBUF_FULL]),
            {{"reason", "ringbuf_full"}});
    out.add(Family::agentmon_spans_dropped_total, static_cast<double>(exporter_.queue_full()),
            {{"reason", "queue_full"}});
    out.add(Family::agentmon_spans_dropped_total, static_cast<double>(exporter_.export_failed()),
            {{"reason", "export_failed"}});
    return Status::success();
}

}  // namespace agentmon
