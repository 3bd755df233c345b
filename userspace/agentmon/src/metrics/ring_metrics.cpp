#include "metrics/ring_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "metrics/transport_families.h"

namespace agentmon {

namespace {

std::uint32_t pair_of(std::uint32_t source_type, std::uint32_t target_type) {
    return source_type << 8 | target_type;
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
    static const std::vector<std::string> types = {
        "RING_BAD_RECORD", "RING_BAD_SIZE",   "RING_COUNTERS_BACKWARDS", "RING_TAIL_AHEAD",
        "RING_TRUNCATED",  "RING_UNREADABLE", "SPOOFED_SOURCE"};
    return types;
}

RingMetrics::RingMetrics(AgentRegistry registry, std::shared_ptr<TransportSink> sink)
    : registry_(std::move(registry)), sink_(std::move(sink)) {
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
        if (sent) {
            // The share of the frames written whose header claimed another source.
            double spoofed = 0;
            for (const auto& f : sample) spoofed += f.spoofed ? 1.0 : 0.0;
            if (spoofed > 0)
                errors_["SPOOFED_SOURCE"] +=
                    apportion(frames, {spoofed, double(sample.size()) - spoofed})[0];
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

template <class Group, class Value>
void RingMetrics::apportion_histogram(const std::vector<SampledFrame>& sample, std::uint64_t frames,
                                      const std::vector<double>& bounds, double scale,
                                      Group group_of, Value value_of,
                                      std::map<std::uint32_t, HistogramReading>& into) {
    if (sample.empty() || frames == 0) return;
    // (group, bucket) -> frames sampled there and the sum of their values.
    std::map<std::pair<std::uint32_t, std::size_t>, std::pair<double, double>> groups;
    for (const auto& f : sample) {
        const double value = value_of(f);
        const std::size_t bucket =
            std::lower_bound(bounds.begin(), bounds.end(), value * scale) - bounds.begin();
        auto& [n, sum] = groups[{group_of(f), bucket}];
        n += 1;
        sum += value;
    }
    std::vector<double> weights;
    weights.reserve(groups.size());
    for (const auto& [key, g] : groups) weights.push_back(g.first);
    const auto split = apportion(frames, weights);
    std::size_t i = 0;
    for (const auto& [key, g] : groups) {
        HistogramReading& h = into[key.first];
        const std::size_t bucket = std::min<std::size_t>(key.second, h.buckets.size() - 1);
        h.buckets[bucket] += split[i];
        h.sum += static_cast<std::uint64_t>(g.second / g.first * double(split[i]));
        ++i;
    }
}

void RingMetrics::account_latency(const RingObservation& o, const ReplyTimes& replies) {
    // A ring's first read has no earlier read to bound its frames' read times.
    if (!o.tick.latency_estimated) return;
    // Requests whose replies were sampled carry their consumer's own clock: their
    // latency stands for the ring's frames. A tick that measured enough requests
    // stands for itself: its frames are apportioned over its own measurements, so
    // each measurement weighs its own tick's share and no tick's latency leaks into
    // another's. A tick that measured few (a request and its reply must both fall
    // in sample windows) would let one slow request weigh as much as a percent of
    // a run: such a tick reuses the ring's measurements of its last measured ticks
    // (its own among them). A pool for every tick weighed the first measured ticks
    // (start-up, often the slowest) nearly three times their share (1 + 1/2 + ... +
    // 1/8: they were the whole pool while it filled), the likeliest reason a CI run
    // put the p99 four buckets above the bus's after one stall. A ring never
    // measured (a format without replies) keeps the estimate from the tail's progress.
    MeasuredPool& pool = measured_[o.ring];
    const std::vector<SampledFrame> own = replies.measured(o.tick.read_sample, o.consumer, o.tick);
    for (const auto& f : own) pool.frames.emplace_back(tick_, f);
    while (!pool.frames.empty() &&
           (pool.frames.size() > kLatencyPoolFrames ||
            pool.frames.front().first + kLatencyPoolTicks <= pool.frames.back().first))
        pool.frames.pop_front();
    pool.flat.clear();
    if (own.size() >= kLatencyOwnTickMeasured)
        pool.flat = own;
    else
        for (const auto& [tick, f] : pool.frames) pool.flat.push_back(f);
    apportion_histogram(
        pool.flat.empty() ? o.tick.read_sample : pool.flat, o.tick.read_frames,
        sink_->bounds().latency_seconds, 1e-9,
        [this](const SampledFrame& f) {
            return pair_of(registry_.type_of(f.source), registry_.type_of(f.target));
        },
        [](const SampledFrame& f) { return double(f.latency_ns); }, latency_);
}

void RingMetrics::account_sizes(const RingObservation& o, std::uint32_t direction) {
    const bool sent = direction == DIR_SENT;
    apportion_histogram(
        sent ? o.tick.written_sample : o.tick.read_sample,
        sent ? o.tick.written_frames : o.tick.read_frames, sink_->bounds().size_bytes, 1.0,
        [direction](const SampledFrame& f) {
            const std::uint32_t msg = f.msg_type < MSG_TYPE_SLOTS ? f.msg_type : 0;
            return msg << 1 | direction;
        },
        [](const SampledFrame& f) { return double(f.bytes); }, sizes_);
}

void RingMetrics::build(const std::vector<RingObservation>& rings, double now_seconds,
                        SnapshotBuilder& out) {
    read_by_pair_.clear();
    ReplyTimes& replies = replies_;
    replies.clear();
    for (const auto& o : rings) {
        if (!o.tick.error.empty()) continue;
        replies.add(o.tick.written_sample);
        replies.add(o.tick.read_sample);
    }
    for (const auto& o : rings) {
        for (const auto& e : o.new_errors) errors_[e] += 1;
        errors_["RING_BAD_RECORD"] += o.tick.bad_records;
        if (!o.tick.error.empty()) continue;
        account_direction(o, DIR_SENT);
        account_direction(o, DIR_RECEIVED);
        account_latency(o, replies);
        account_sizes(o, DIR_SENT);
        account_sizes(o, DIR_RECEIVED);
    }
    emit_transport();
    emit_gauges(rings, now_seconds, out);
    ++tick_;
}

void RingMetrics::forget(const std::string& ring) {
    measured_.erase(ring);
    last_mix_.erase({ring, DIR_SENT});
    last_mix_.erase({ring, DIR_RECEIVED});
}

void RingMetrics::emit_transport() {
    std::vector<std::uint64_t> keys;
    std::vector<FrameTotals> totals;
    for (const auto& [key, fb] : totals_) {
        keys.push_back(key);
        totals.push_back({double(fb.first), double(fb.second)});
    }
    sink_->add_frames(keys, totals);
    for (const auto& [pair, h] : latency_)
        sink_->add_histogram(Family::agent_transport_latency_seconds,
                             {{"source_agent", str(agent_type_name(pair >> 8))},
                              {"target_agent", str(agent_type_name(pair & 0xff))},
                              {"carrier", "ring"}},
                             h);
    for (const auto& [slot, h] : sizes_)
        sink_->add_histogram(Family::agent_transport_message_size_bytes,
                             {{"msg_type", msg_type_name(slot >> 1)},
                              {"carrier", "ring"},
                              {"direction", str(direction_name(slot & 1))}},
                             h);
    for (const auto& [type, count] : errors_)
        sink_->add(Family::agent_transport_errors_total,
                   {{"carrier", "ring"}, {"direction", "all"}, {"error_type", type}},
                   double(count));
}

void RingMetrics::emit_gauges(const std::vector<RingObservation>& rings, double now_seconds,
                              SnapshotBuilder& out) {
    for (const auto& o : rings) {
        if (!o.tick.error.empty()) continue;
        LabelSet labels{{"ring", o.ring},
                        {"source_agent", str(registry_.type_name_of(o.producer))},
                        {"target_agent", str(registry_.type_name_of(o.consumer))}};
        out.add(Family::agent_ring_head_of_line_age_seconds,
                o.tick.hol_age_ns ? double(*o.tick.hol_age_ns) * 1e-9 : 0.0, labels);
        labels["carrier"] = "ring";
        out.add(Family::agent_transport_queue_depth, double(o.tick.depth_frames), labels);
        out.add(Family::agent_transport_queue_depth_bytes, double(o.tick.depth_bytes), labels);
        const double sampled = double(o.tick.read_sample.size());
        out.add(Family::agentmon_ring_sample_coverage_ratio,
                o.tick.read_frames ? std::min(1.0, sampled / double(o.tick.read_frames)) : 1.0,
                {{"ring", o.ring}});
    }
    // What waits for each consuming agent in its rings, added in the sink to what
    // the socket path found in its receive queues.
    std::map<std::uint32_t, std::uint64_t> waiting;
    for (const auto& o : rings)
        if (o.tick.error.empty()) waiting[o.consumer] += o.tick.depth_frames;
    for (const auto& [agent, frames] : waiting)
        sink_->add(Family::agent_queue_depth,
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
    sink_->add(Family::agent_transport_throughput_mps, {{"carrier", "ring"}}, double(read) / dt);
    for (const auto& [pair, frames] : read_by_pair_)
        sink_->add(Family::message_flow_matrix,
                   {{"source_agent", str(agent_type_name(pair >> 8))},
                    {"target_agent", str(agent_type_name(pair & 0xff))}},
                   double(frames) / dt);
}

}  // namespace agentmon
