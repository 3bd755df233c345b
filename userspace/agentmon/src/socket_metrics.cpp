#include "socket_metrics.h"

#include <cerrno>

namespace agentmon {

namespace {

using prometheus::MetricType;

// Sums samples that land on the same label set, then emits them in label order.
class Accumulator {
  public:
    void add(const LabelSet& labels, double value) { values_[labels] += value; }
    void emit(SnapshotBuilder& out, const std::string& name, const std::string& help,
              MetricType type) const {
        auto& family = out.family(name, help, type);
        for (const auto& [labels, value] : values_)
            SnapshotBuilder::add_sample(family, value, labels);
    }

  private:
    std::map<LabelSet, double> values_;
};

void add_histogram(prometheus::MetricFamily& family, const LabelSet& labels,
                   const HistogramReading& h, const std::vector<double>& bounds, double scale) {
    prometheus::ClientMetric metric;
    for (const auto& [k, v] : labels) metric.label.push_back({k, v});
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += h.buckets[i];
        metric.histogram.bucket.push_back({cumulative, bounds[i]});
    }
    metric.histogram.sample_count = h.count();
    metric.histogram.bucket.push_back(
        {metric.histogram.sample_count, std::numeric_limits<double>::infinity()});
    metric.histogram.sample_sum = static_cast<double>(h.sum) * scale;
    family.metric.push_back(std::move(metric));
}

}  // namespace

void SocketMetrics::build(const SocketReading& now, SnapshotBuilder& out) {
    transport_counters(now, out);
    rates(now, out);
    histograms(now, out);
    errors(now, out);
    out.gauge("agentmon_bpf_map_entries", "Keys in use in a BPF map.",
              static_cast<double>(now.frames_map_entries), {{"map", "frames"}});
    out.gauge("agentmon_bpf_map_capacity", "max_entries of a BPF map.",
              static_cast<double>(now.frames_map_capacity), {{"map", "frames"}});
    for (std::uint32_t e = 0; e < WALK_EVENT_COUNT; ++e)
        out.counter("agentmon_decoder_events_total",
                    "Events of the in-kernel frame decoder (malformed input, full maps, ...).",
                    static_cast<double>(now.walk_events[e]),
                    {{"event", std::string(walk_event_name(e))}});
    for (const auto& [family, count] : budget_.dropped())
        out.counter("agentmon_series_dropped_total",
                    "Distinct label sets folded into the overflow series by the series budget.",
                    static_cast<double>(count), {{"family", family}});
    previous_ = now;
}

void SocketMetrics::transport_counters(const SocketReading& now, SnapshotBuilder& out) {
    Accumulator messages, bytes;
    for (const auto& e : now.frames) {
        LabelSet labels{{"source_agent", std::string(registry_.type_name_of(e.key.source))},
                        {"target_agent", std::string(registry_.type_name_of(e.key.target))},
                        {"msg_type", msg_type_name(e.key.msg_type)},
                        {"priority", priority_name(e.key.priority)},
                        {"carrier", std::string(carrier_name(e.key.carrier))},
                        {"direction", std::string(direction_name(e.key.direction))}};
        LabelSet admitted = budget_.admit("agent_transport_messages_total", labels);
        messages.add(admitted, static_cast<double>(e.counts.frames));
        bytes.add(admitted, static_cast<double>(e.counts.bytes));
    }
    messages.emit(out, "agent_transport_messages_total",
                  "Frames seen on agents' sockets, counted in the kernel.", MetricType::Counter);
    bytes.emit(out, "agent_transport_bytes_total",
               "Bytes of frames (header and payload) seen on agents' sockets.",
               MetricType::Counter);
}

void SocketMetrics::rates(const SocketReading& now, SnapshotBuilder& out) {
    if (!previous_) return;
    double dt = now.monotonic_seconds - previous_->monotonic_seconds;
    if (dt <= 0) return;
    auto received = [&](const SocketReading& r) {
        std::map<std::string, double> by_carrier;
        std::map<LabelSet, double> by_pair;
        for (const auto& e : r.frames) {
            if (e.key.direction != DIR_RECEIVED) continue;
            by_carrier[std::string(carrier_name(e.key.carrier))] += e.counts.frames;
            by_pair[{{"source_agent", std::string(registry_.type_name_of(e.key.source))},
                     {"target_agent", std::string(registry_.type_name_of(e.key.target))}}] +=
                e.counts.frames;
        }
        return std::pair{by_carrier, by_pair};
    };
    auto [carrier_now, pair_now] = received(now);
    auto [carrier_then, pair_then] = received(*previous_);
    for (const auto& [carrier, frames] : carrier_now)
        out.gauge("agent_transport_throughput_mps",
                  "Frames received per second over the last collection tick.",
                  (frames - carrier_then[carrier]) / dt, {{"carrier", carrier}});
    for (const auto& [pair, frames] : pair_now)
        out.gauge("message_flow_matrix",
                  "Frames per second from source to target agent type over the last tick.",
                  (frames - pair_then[pair]) / dt, pair);
}

void SocketMetrics::histograms(const SocketReading& now, SnapshotBuilder& out) {
    auto& latency =
        out.family("agent_transport_latency_seconds",
                   "Time from a frame's header timestamp to its receipt.", MetricType::Histogram);
    for (const auto& e : now.latency)
        add_histogram(latency,
                      {{"source_agent", std::string(agent_type_name(e.source_type))},
                       {"target_agent", std::string(agent_type_name(e.target_type))},
                       {"carrier", std::string(carrier_name(e.carrier))}},
                      e.histogram, bounds_.latency_seconds, 1e-9);
    auto& sizes = out.family("agent_transport_message_size_bytes",
                             "Frame sizes (header and payload).", MetricType::Histogram);
    for (const auto& e : now.sizes)
        add_histogram(sizes,
                      {{"msg_type", msg_type_name(e.msg_type)},
                       {"carrier", std::string(carrier_name(e.carrier))},
                       {"direction", std::string(direction_name(e.direction))}},
                      e.histogram, bounds_.size_bytes, 1.0);
}

void SocketMetrics::errors(const SocketReading& now, SnapshotBuilder& out) {
    Accumulator errors, would_block;
    for (const auto& e : now.syscall_errors) {
        LabelSet where{{"carrier", std::string(carrier_name(e.carrier))},
                       {"direction", std::string(direction_name(e.direction))}};
        // EAGAIN is how nonblocking sockets say "not now": normal, not an error.
        if (e.err == EAGAIN) {
            would_block.add(where, static_cast<double>(e.count));
            continue;
        }
        where["error_type"] = errno_name(static_cast<int>(e.err));
        errors.add(where, static_cast<double>(e.count));
    }
    for (auto [event, type] :
         {std::pair{WALK_MALFORMED, "MALFORMED"}, std::pair{WALK_RCVQ_DROPS, "RCVQ_DROP"}})
        errors.add({{"carrier", "all"}, {"direction", "all"}, {"error_type", type}},
                   static_cast<double>(now.walk_events[event]));
    errors.emit(out, "agent_transport_errors_total",
                "Failed sends and receives by errno, malformed frames and receive-queue drops.",
                MetricType::Counter);
    would_block.emit(out, "agent_transport_would_block_total",
                     "Sends and receives that returned EAGAIN on nonblocking sockets.",
                     MetricType::Counter);
}

}  // namespace agentmon
