#include "metrics/socket_metrics.h"

#include <algorithm>
#include <array>
#include <cerrno>

#include "metrics/transport_families.h"

namespace agentmon {

namespace {

// Decoder events that are also transport errors, for agent_transport_errors_total:
// frames lost to malformed input, to a full frames map, and packets the kernel
// dropped from agents' receive queues. The other events are agentmon's own.
struct ErrorEvent {
    std::uint32_t event;
    const char* error_type;
};
constexpr ErrorEvent kErrorEvents[] = {{WALK_MALFORMED, "MALFORMED"},
                                       {WALK_FRAMES_MAP_FULL, "MAP_FULL"},
                                       {WALK_RCVQ_DROPS, "RCVQ_DROP"}};

LabelSet agent_type_labels(std::uint32_t type) {
    return {{"agent_type", str(agent_type_name(type))}};
}

LabelSet agent_labels(std::uint32_t type, std::string agent_id) {
    return {{"agent_type", str(agent_type_name(type))}, {"agent_id", std::move(agent_id)}};
}

// `from` minus `part`, bucket by bucket, never below zero.
void subtract(HistogramReading& from, const HistogramReading& part) {
    for (std::size_t i = 0; i < from.buckets.size(); ++i)
        from.buckets[i] -= std::min(from.buckets[i], part.buckets[i]);
    from.sum -= std::min(from.sum, part.sum);
}

}  // namespace

void SocketMetrics::build(const SocketReading& now, SnapshotBuilder& out) {
    transport_counters(now);
    rates(now);
    histograms(now);
    errors(now);
    agent_signals(now);
    self_metrics(now, out);
}

void SocketMetrics::transport_counters(const SocketReading& now) {
    // The kernel keys by agent type (instances of a type share a key) and by the
    // fields the labels keep; the budget's projection drops the fields it zeroed.
    std::vector<std::uint64_t> keys;
    std::vector<FrameTotals> totals;
    keys.reserve(now.frames.size());
    totals.reserve(now.frames.size());
    for (const auto& e : now.frames) {
        keys.push_back(label_key(e.key.source_type, e.key.target_type, e.key.msg_type,
                                 e.key.priority, e.key.carrier, e.key.direction));
        totals.push_back(
            {static_cast<double>(e.counts.frames), static_cast<double>(e.counts.bytes)});
    }
    sink_->add_frames(keys, totals);
}

void SocketMetrics::rates(const SocketReading& now) {
    Received current;
    current.seconds = now.monotonic_seconds;
    for (const auto& e : now.pairs) {
        if (e.direction != DIR_RECEIVED) continue;
        const double frames = static_cast<double>(e.counts.frames);
        current.by_carrier[e.carrier] += frames;
        current.by_pair[e.source_type << 8 | e.target_type] += frames;
    }
    std::optional<Received> before = std::move(previous_);
    previous_ = current;
    // The first reading has no interval to divide by: no rate rather than a wrong one.
    if (!before || current.seconds <= before->seconds) return;
    const double dt = current.seconds - before->seconds;
    // A counter that went down (maps re-created) reads as no traffic, not negative.
    auto rate = [dt](double now_value, double then_value) {
        return now_value >= then_value ? (now_value - then_value) / dt : 0.0;
    };
    for (const auto& [carrier, frames] : current.by_carrier)
        sink_->add(Family::agent_transport_throughput_mps,
                   {{"carrier", str(carrier_name(carrier))}},
                   rate(frames, before->by_carrier[carrier]));
    for (const auto& [pair, frames] : current.by_pair)
        sink_->add(Family::message_flow_matrix,
                   {{"source_agent", str(agent_type_name(pair >> 8))},
                    {"target_agent", str(agent_type_name(pair & 0xff))}},
                   rate(frames, before->by_pair[pair]));
}

const LabelSet& SocketMetrics::latency_labels(const LatencyEntry& e) {
    const std::uint64_t key =
        std::uint64_t{e.source_type} << 42 | std::uint64_t{e.target_type} << 21 | e.carrier;
    auto [it, added] = latency_labels_.try_emplace(key);
    if (added)
        it->second = {{"source_agent", str(agent_type_name(e.source_type))},
                      {"target_agent", str(agent_type_name(e.target_type))},
                      {"carrier", str(carrier_name(e.carrier))}};
    return it->second;
}

const LabelSet& SocketMetrics::size_labels(const SizeEntry& e) {
    const std::uint64_t key =
        std::uint64_t{e.msg_type} << 42 | std::uint64_t{e.carrier} << 21 | e.direction;
    auto [it, added] = size_labels_.try_emplace(key);
    if (added)
        it->second = {{"msg_type", msg_type_name(e.msg_type)},
                      {"carrier", str(carrier_name(e.carrier))},
                      {"direction", str(direction_name(e.direction))}};
    return it->second;
}

void SocketMetrics::histograms(const SocketReading& now) {
    for (const auto& e : now.latency)
        sink_->add_histogram(Family::agent_transport_latency_seconds, latency_labels(e),
                             e.histogram);
    for (const auto& e : now.sizes)
        sink_->add_histogram(Family::agent_transport_message_size_bytes, size_labels(e),
                             e.histogram);
}

void SocketMetrics::errors(const SocketReading& now) {
    constexpr Family kErrors = Family::agent_transport_errors_total;
    for (const auto& e : now.syscall_errors) {
        LabelSet labels{{"carrier", str(carrier_name(e.carrier))},
                        {"direction", str(direction_name(e.direction))}};
        // EAGAIN (== EWOULDBLOCK on Linux) is how a nonblocking socket says "not
        // now": normal flow control, so it has its own family and leaves the error
        // ratio meaningful.
        if (e.err == EAGAIN) {
            labels["error_type"] = "EAGAIN";
            sink_->add(Family::agent_transport_would_block_total, labels,
                       static_cast<double>(e.count));
            continue;
        }
        labels["error_type"] = errno_name(static_cast<int>(e.err));
        sink_->add(kErrors, labels, static_cast<double>(e.count));
    }
    // Frames from processes that are not agents, and frames whose header names
    // another agent than the sender: security signals, on the error family so the
    // error ratio sees them too. Present from the start, zero included.
    sink_->add(kErrors,
               {{"carrier", "unix"}, {"direction", "received"}, {"error_type", "UNAUTHORIZED"}}, 0);
    for (const auto& e : now.intruders)
        sink_->add(kErrors,
                   {{"carrier", str(carrier_name(e.carrier))},
                    {"direction", "received"},
                    {"error_type", "UNAUTHORIZED"}},
                   static_cast<double>(e.frames));
    sink_->add(kErrors,
               {{"carrier", "all"}, {"direction", "sent"}, {"error_type", "SPOOFED_SOURCE"}},
               static_cast<double>(now.walk_events[WALK_SPOOFED_SOURCE]));
    // Always present, zero included, so the error ratio has its series from the start.
    for (const auto& [event, type] : kErrorEvents)
        sink_->add(kErrors, {{"carrier", "all"}, {"direction", "all"}, {"error_type", type}},
                   static_cast<double>(now.walk_events[event]));
}

void SocketMetrics::processing_time(const SocketReading& now) {
    // By responder. What the kernel kept by type only (its per-responder map was
    // full) is the type's remainder, under agent_id="overflow": a type's series
    // always sum to every reply its agents sent, as the per-type series did.
    std::array<HistogramReading, AGENT_TYPE_SLOTS> rest = now.processing;
    for (const auto& e : now.processing_by_agent) {
        if (e.agent_type >= AGENT_TYPE_SLOTS || !e.histogram.count()) continue;
        sink_->add_histogram(Family::agent_processing_time_seconds,
                             agent_labels(e.agent_type, registry_.instance_name(e.agent_id)),
                             e.histogram);
        subtract(rest[e.agent_type], e.histogram);
    }
    for (std::uint32_t type = 0; type < AGENT_TYPE_SLOTS; ++type)
        if (rest[type].count())
            sink_->add_histogram(Family::agent_processing_time_seconds,
                                 agent_labels(type, kOverflowValue), rest[type]);
}

void SocketMetrics::messages_processed(const SocketReading& now) {
    // By the header's target id, whose type is frame_pairs' target type: the
    // instances of a type sum to what the type received. Every discovered agent
    // has its series, 0 included; ids of no type (frames naming no target) are
    // left out, as type 0 always was.
    std::map<std::uint32_t, double> by_agent;
    for (const auto& [agent, packets] : now.backlog_by_agent) by_agent[agent];
    for (const auto& [agent, frames] : now.received_by_agent)
        by_agent[agent] += static_cast<double>(frames);
    for (const auto& [agent, frames] : by_agent) {
        const std::uint32_t type = registry_.type_of(agent);
        if (type == 0 || type >= AGENT_TYPE_SLOTS) continue;
        sink_->add(Family::agent_messages_processed_total,
                   agent_labels(type, registry_.instance_name(agent)), frames);
    }
    // Frames to ids the kernel had no room for, still counted by type.
    for (std::uint32_t type = 1; type < AGENT_TYPE_SLOTS; ++type)
        if (now.received_unattributed[type])
            sink_->add(Family::agent_messages_processed_total, agent_labels(type, kOverflowValue),
                       static_cast<double>(now.received_unattributed[type]));
}

void SocketMetrics::agent_signals(const SocketReading& now) {
    processing_time(now);
    for (std::uint32_t type = 1; type < AGENT_TYPE_SLOTS; ++type)
        sink_->add(Family::agent_unanswered_requests_total, agent_type_labels(type),
                   static_cast<double>(now.unanswered[type]));
    messages_processed(now);
    for (const auto& [agent, packets] : now.backlog_by_agent)
        sink_->add(Family::agent_queue_depth,
                   {{"agent_type", str(registry_.type_name_of(agent))},
                    {"agent_id", registry_.instance_name(agent)}},
                   static_cast<double>(packets));
    for (const auto& e : now.intruders)
        sink_->add(Family::agent_unauthorized_frames_total,
                   {{"offender_comm", e.comm},
                    {"offender_uid", std::to_string(e.uid)},
                    {"target_agent", str(agent_type_name(e.target_type))},
                    {"carrier", str(carrier_name(e.carrier))}},
                   static_cast<double>(e.frames));
}

void SocketMetrics::self_metrics(const SocketReading& now, SnapshotBuilder& out) {
    out.add(Family::agentmon_bpf_map_entries, static_cast<double>(now.frames_map_entries),
            {{"map", "frames"}});
    out.add(Family::agentmon_bpf_map_capacity, static_cast<double>(now.frames_map_capacity),
            {{"map", "frames"}});
    std::map<std::string, double> events;  // by name, for sorted output
    for (std::uint32_t e = 0; e < WALK_EVENT_COUNT; ++e)
        events[str(walk_event_name(e))] = static_cast<double>(now.walk_events[e]);
    for (const auto& [event, count] : events)
        out.add(Family::agentmon_decoder_events_total, count, {{"event", event}});
}

}  // namespace agentmon
