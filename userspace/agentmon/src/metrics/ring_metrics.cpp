#include "metrics/ring_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "metrics/transport_families.h"

namespace agentmon {

namespace {

using prometheus::MetricType;

std::uint32_t pair_of(std::uint32_t source_type, std::uint32_t target_type) {
    return source_type << 8 | target_type;
}

// Adds `value` to the gauge sample with `labels` in `family`, or appends one: the
// socket path may already have put the same agent pair in message_flow_matrix.
void add_to_gauge(prometheus::MetricFamily& family, const LabelSet& labels, double value) {
    for (auto& metric : family.metric) {
        if (metric.label.size() != labels.size()) continue;
        bool same = true;
        auto it = labels.begin();
        for (const auto& label : metric.label) {
            if (label.name != it->first || label.value != it->second) same = false;
            ++it;
        }
        if (same) {
            metric.gauge.value += value;
            return;
        }
    }
    SnapshotBuilder::add_sample(family, value, labels);
}

}  // namespace

std::vector<std::uint64_t> apportion(std::uint64_t total, const std::vector<double>& weights) {
    std::vector<std::uint64_t> out(weights.size(), 0);
    if (weights.empty()) return out;
    double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<double> w = weights;
    if (sum <= 0) {
        std::fill(w.begin(), w.end(), 1.0);
        sum = double(w.size());
    }
    std::vector<std::pair<double, std::size_t>> remainders;
    std::uint64_t given = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        const double share = double(total) * w[i] / sum;
        out[i] = static_cast<std::uint64_t>(std::floor(share));
        given += out[i];
        remainders.emplace_back(share - std::floor(share), i);
    }
    // Largest remainder first; ties to the lower index, so the result is stable.
    std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    for (std::size_t k = 0; given < total; k = (k + 1) % remainders.size(), ++given)
        out[remainders[k].second] += 1;
    return out;
}

const std::vector<std::string>& ring_error_types() {
    static const std::vector<std::string> types = {"RING_BAD_RECORD",         "RING_BAD_SIZE",
                                                   "RING_COUNTERS_BACKWARDS", "RING_TAIL_AHEAD",
                                                   "RING_TRUNCATED",          "RING_UNREADABLE"};
    return types;
}

RingMetrics::RingMetrics(AgentRegistry registry, std::vector<double> latency_bounds_seconds,
                         std::shared_ptr<SeriesBudget> budget,
                         std::vector<double> size_bounds_bytes)
    : registry_(std::move(registry)),
      latency_bounds_(std::move(latency_bounds_seconds)),
      size_bounds_(std::move(size_bounds_bytes)),
      budget_(std::move(budget)),
      messages_("agent_transport_messages_total", kTransportLabelKeys),
      bytes_("agent_transport_bytes_total", kTransportLabelKeys) {
    for (const auto& type : ring_error_types()) errors_[type] = 0;
}

void RingMetrics::account_direction(const RingObservation& o, std::uint32_t direction) {
    const bool sent = direction == DIR_SENT;
    const std::uint64_t frames = sent ? o.tick.written_frames : o.tick.read_frames;
    const std::uint64_t bytes = sent ? o.tick.written_bytes : o.tick.read_bytes;
    const auto& sample = sent ? o.tick.written_sample : o.tick.read_sample;
    Mix& mix = last_mix_[{o.ring, direction}];
    if (!sample.empty()) {
        std::map<std::uint64_t, std::pair<double, double>> by_key;
        for (const auto& f : sample) {
            auto& [n, b] =
                by_key[label_key(registry_.type_of(f.source), registry_.type_of(f.target),
                                 f.msg_type, f.priority, CARRIER_RING, direction)];
            n += 1;
            b += double(f.bytes);
        }
        mix = {};
        for (const auto& [key, nb] : by_key) {
            mix.keys.push_back(key);
            mix.frames.push_back(nb.first);
            mix.bytes.push_back(nb.second);
        }
    } else if (mix.keys.empty()) {
        // Nothing sampled yet on this ring: the pair is known, the types are not.
        mix.keys = {label_key(registry_.type_of(o.producer), registry_.type_of(o.consumer), 0, 6,
                              CARRIER_RING, direction)};
        mix.frames = mix.bytes = {1.0};
    }
    if (frames == 0 && bytes == 0) return;
    const auto frame_split = apportion(frames, mix.frames);
    const auto byte_split = apportion(bytes, mix.bytes);
    for (std::size_t i = 0; i < mix.keys.size(); ++i) {
        auto& [f, b] = totals_[mix.keys[i]];
        f += frame_split[i];
        b += byte_split[i];
        if (!sent) {
            const std::uint64_t key = mix.keys[i];
            // The label key's two agent-type digits, for the flow gauge.
            const std::uint64_t types =
                key / (kTransportMsgTypeKeys * kTransportPriorityKeys * CARRIER_COUNT * DIR_COUNT);
            read_by_pair_[pair_of(types / AGENT_TYPE_SLOTS, types % AGENT_TYPE_SLOTS)] +=
                frame_split[i];
        }
    }
}

void RingMetrics::account_latency(const RingObservation& o) {
    const auto& sample = o.tick.read_sample;
    if (sample.empty() || o.tick.read_frames == 0 || !o.tick.latency_estimated) return;
    // Group by (pair, bucket), then give the exact frame count out in proportion.
    std::map<std::pair<std::uint32_t, std::size_t>, std::pair<double, double>> groups;
    for (const auto& f : sample) {
        const double seconds = double(f.latency_ns) * 1e-9;
        const std::size_t bucket =
            std::lower_bound(latency_bounds_.begin(), latency_bounds_.end(), seconds) -
            latency_bounds_.begin();
        auto& [n, sum_ns] =
            groups[{pair_of(registry_.type_of(f.source), registry_.type_of(f.target)), bucket}];
        n += 1;
        sum_ns += double(f.latency_ns);
    }
    std::vector<double> weights;
    weights.reserve(groups.size());
    for (const auto& [key, g] : groups) weights.push_back(g.first);
    const auto split = apportion(o.tick.read_frames, weights);
    std::size_t i = 0;
    for (const auto& [key, g] : groups) {
        HistogramReading& h = latency_[key.first];
        const std::size_t bucket = std::min<std::size_t>(key.second, h.buckets.size() - 1);
        h.buckets[bucket] += split[i];
        h.sum += static_cast<std::uint64_t>(g.second / g.first * double(split[i]));
        ++i;
    }
}

void RingMetrics::account_sizes(const RingObservation& o, std::uint32_t direction) {
    const bool sent = direction == DIR_SENT;
    const auto& sample = sent ? o.tick.written_sample : o.tick.read_sample;
    const std::uint64_t frames = sent ? o.tick.written_frames : o.tick.read_frames;
    if (sample.empty() || frames == 0) return;
    // As for latency: group by (msg_type, bucket), give the exact count out in proportion.
    std::map<std::pair<std::uint32_t, std::size_t>, std::pair<double, double>> groups;
    for (const auto& f : sample) {
        const std::uint32_t msg = f.msg_type < MSG_TYPE_SLOTS ? f.msg_type : 0;
        const std::size_t bucket =
            std::lower_bound(size_bounds_.begin(), size_bounds_.end(), double(f.bytes)) -
            size_bounds_.begin();
        auto& [n, bytes] = groups[{msg << 1 | direction, bucket}];
        n += 1;
        bytes += double(f.bytes);
    }
    std::vector<double> weights;
    weights.reserve(groups.size());
    for (const auto& [key, g] : groups) weights.push_back(g.first);
    const auto split = apportion(frames, weights);
    std::size_t i = 0;
    for (const auto& [key, g] : groups) {
        HistogramReading& h = sizes_[key.first];
        const std::size_t bucket = std::min<std::size_t>(key.second, h.buckets.size() - 1);
        h.buckets[bucket] += split[i];
        h.sum += static_cast<std::uint64_t>(g.second / g.first * double(split[i]));
        ++i;
    }
}

void RingMetrics::build(const std::vector<RingObservation>& rings, double now_seconds,
                        SnapshotBuilder& out) {
    read_by_pair_.clear();
    for (const auto& o : rings) {
        for (const auto& e : o.new_errors) errors_[e] += 1;
        errors_["RING_BAD_RECORD"] += o.tick.bad_records;
        if (!o.tick.error.empty()) continue;
        account_direction(o, DIR_SENT);
        account_direction(o, DIR_RECEIVED);
        account_latency(o);
        account_sizes(o, DIR_SENT);
        account_sizes(o, DIR_RECEIVED);
    }
    emit_counters(out);
    emit_gauges(rings, now_seconds, out);
}

void RingMetrics::emit_counters(SnapshotBuilder& out) {
    std::vector<std::uint64_t> keys;
    for (const auto& [key, fb] : totals_) keys.push_back(key);
    for (InternedSeries* series : {&messages_, &bytes_}) {
        const bool frames = series == &messages_;
        series->intern(keys, transport_labels, *budget_);
        std::vector<double> sums(series->slots(), 0.0);
        std::vector<bool> present(series->slots(), false);
        for (const auto& [key, fb] : totals_) {
            const std::size_t slot = series->slot_of(key);
            sums[slot] += double(frames ? fb.first : fb.second);
            present[slot] = true;
        }
        auto& family = out.family(
            series->family(),
            frames ? "Frames sent and received on agents' sockets, counted in the kernel."
                   : "Bytes of frames (header and payload) sent and received on agents' sockets.",
            MetricType::Counter);
        for (std::size_t slot : series->order())
            if (present[slot])
                SnapshotBuilder::add_sample(family, sums[slot], series->labels(slot));
    }
    SummedHistograms latency;
    for (const auto& [pair, h] : latency_)
        latency.add({{"source_agent", str(agent_type_name(pair >> 8))},
                     {"target_agent", str(agent_type_name(pair & 0xff))},
                     {"carrier", "ring"}},
                    h);
    latency.emit(out, *budget_, "agent_transport_latency_seconds",
                 "Time from a frame's header timestamp (sender's CLOCK_MONOTONIC) to its receipt.",
                 latency_bounds_, 1e-9);
    SummedHistograms sizes;
    for (const auto& [slot, h] : sizes_)
        sizes.add({{"msg_type", msg_type_name(slot >> 1)},
                   {"carrier", "ring"},
                   {"direction", str(direction_name(slot & 1))}},
                  h);
    sizes.emit(out, *budget_, "agent_transport_message_size_bytes",
               "Frame sizes (header and payload) in bytes.", size_bounds_, 1.0);
    Summed errors;
    for (const auto& [type, count] : errors_)
        errors.add({{"carrier", "ring"}, {"direction", "all"}, {"error_type", type}},
                   double(count));
    errors.emit(out, *budget_, "agent_transport_errors_total",
                "Failed sends and receives by errno, malformed frames, frames lost to a full "
                "map and packets dropped from receive queues.",
                MetricType::Counter);
}

void RingMetrics::emit_gauges(const std::vector<RingObservation>& rings, double now_seconds,
                              SnapshotBuilder& out) {
    for (const auto& o : rings) {
        if (!o.tick.error.empty()) continue;
        const LabelSet labels{{"ring", o.ring},
                              {"source_agent", str(registry_.type_name_of(o.producer))},
                              {"target_agent", str(registry_.type_name_of(o.consumer))},
                              {"carrier", "ring"}};
        out.gauge("agent_transport_queue_depth", "Frames written to a ring and not yet consumed.",
                  double(o.tick.depth_frames), labels);
        out.gauge("agent_transport_queue_depth_bytes",
                  "Bytes of frames written to a ring and not yet consumed (pads excluded).",
                  double(o.tick.depth_bytes), labels);
        out.gauge("agent_ring_head_of_line_age_seconds",
                  "Age of the oldest unconsumed frame in a ring (now minus its header "
                  "timestamp); 0 when the ring is empty.",
                  o.tick.hol_age_ns ? double(*o.tick.hol_age_ns) * 1e-9 : 0.0,
                  {{"ring", o.ring},
                   {"source_agent", str(registry_.type_name_of(o.producer))},
                   {"target_agent", str(registry_.type_name_of(o.consumer))}});
        const double sampled = double(o.tick.read_sample.size());
        out.gauge("agentmon_ring_sample_coverage_ratio",
                  "Frames sampled for the breakdown by type over frames read, last tick (1: "
                  "exact breakdown; below 1 the breakdown is scaled to the exact counts).",
                  o.tick.read_frames ? std::min(1.0, sampled / double(o.tick.read_frames)) : 1.0,
                  {{"ring", o.ring}});
    }
    // What waits for each consuming agent in its rings, added to what the socket
    // path found in its receive queues.
    std::map<std::uint32_t, std::uint64_t> waiting;
    for (const auto& o : rings)
        if (o.tick.error.empty()) waiting[o.consumer] += o.tick.depth_frames;
    auto& queue =
        out.family("agent_queue_depth",
                   "Frames waiting for an agent: packets in its socket receive queues (a "
                   "packet holds at least one frame) plus frames in the rings it consumes.",
                   MetricType::Gauge);
    for (const auto& [agent, frames] : waiting)
        add_to_gauge(queue,
                     {{"agent_id", registry_.instance_name(agent)},
                      {"agent_type", str(registry_.type_name_of(agent))}},
                     double(frames));
    const std::optional<double> before = previous_seconds_;
    previous_seconds_ = now_seconds;
    if (!before || now_seconds <= *before) return;
    const double dt = now_seconds - *before;
    std::uint64_t read = 0;
    for (const auto& o : rings)
        if (o.tick.error.empty()) read += o.tick.read_frames;
    out.gauge("agent_transport_throughput_mps",
              "Frames received per second between the last two collection ticks.",
              double(read) / dt, {{"carrier", "ring"}});
    auto& flow = out.family(
        "message_flow_matrix",
        "Frames received per second from source to target agent type over the last tick.",
        MetricType::Gauge);
    for (const auto& [pair, frames] : read_by_pair_)
        add_to_gauge(flow,
                     {{"source_agent", str(agent_type_name(pair >> 8))},
                      {"target_agent", str(agent_type_name(pair & 0xff))}},
                     double(frames) / dt);
}

}  // namespace agentmon
