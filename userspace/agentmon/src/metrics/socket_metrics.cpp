#include "metrics/socket_metrics.h"

#include "metrics/family_table.h"
#include "metrics/transport_families.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <limits>

namespace agentmon {

namespace {

using prometheus::MetricType;

// One counter family from the raw entries (keys[i] is entry i's label key): keys
// go through `series` (label sets built and admitted once per key for agentmon's
// life), values are summed per series and emitted in label order.
void emit_interned(SnapshotBuilder& out, InternedSeries& series, SeriesBudget& budget,
                   const std::vector<std::uint64_t>& keys,
                   const std::vector<FrameCountEntry>& entries, __u64 frame_counts::*field,
                   const std::string& help) {
    series.intern(keys, transport_labels, budget);
    std::vector<double> sums(series.slots(), 0.0);
    std::vector<bool> present(series.slots(), false);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::size_t slot = series.slot_of(keys[i]);
        sums[slot] += static_cast<double>(entries[i].counts.*field);
        present[slot] = true;
    }
    auto& family = out.family(series.family(), help, MetricType::Counter);
    for (std::size_t slot : series.order())
        if (present[slot]) SnapshotBuilder::add_sample(family, sums[slot], series.labels(slot));
}

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

}  // namespace

const std::vector<std::string>& budgeted_families() {
    static const std::vector<std::string> families = [] {
        std::vector<std::string> names;
        for (const auto& f : metric_families())
            if (f.budget == FamilyBudget::transport) names.emplace_back(f.name);
        return names;
    }();
    return families;
}

void SocketMetrics::build(const SocketReading& now, SnapshotBuilder& out) {
    transport_counters(now, out);
    rates(now, out);
    histograms(now, out);
    errors(now, out);
    agent_signals(now, out);
    self_metrics(now, out);
}

void SocketMetrics::transport_counters(const SocketReading& now, SnapshotBuilder& out) {
    // Raw keys carry agent ids; labels carry types, so instances of a type share
    // a series and their counts add up.
    std::vector<std::uint64_t> keys;
    keys.reserve(now.frames.size());
    for (const auto& e : now.frames)
        keys.push_back(label_key(registry_.type_of(e.key.source), registry_.type_of(e.key.target),
                                 e.key.msg_type, e.key.priority, e.key.carrier, e.key.direction));
    emit_interned(out, messages_, *budget_, keys, now.frames, &frame_counts::frames,
                  "Frames sent and received on agents' sockets, counted in the kernel.");
    emit_interned(out, bytes_, *budget_, keys, now.frames, &frame_counts::bytes,
                  "Bytes of frames (header and payload) sent and received on agents' sockets.");
}

void SocketMetrics::rates(const SocketReading& now, SnapshotBuilder& out) {
    Received current;
    current.seconds = now.monotonic_seconds;
    for (const auto& e : now.frames) {
        if (e.key.direction != DIR_RECEIVED) continue;
        const double frames = static_cast<double>(e.counts.frames);
        current.by_carrier[e.key.carrier] += frames;
        current.by_pair[registry_.type_of(e.key.source) << 8 | registry_.type_of(e.key.target)] +=
            frames;
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
    Summed throughput, flow;
    for (const auto& [carrier, frames] : current.by_carrier)
        throughput.add({{"carrier", str(carrier_name(carrier))}},
                       rate(frames, before->by_carrier[carrier]));
    for (const auto& [pair, frames] : current.by_pair)
        flow.add({{"source_agent", str(agent_type_name(pair >> 8))},
                  {"target_agent", str(agent_type_name(pair & 0xff))}},
                 rate(frames, before->by_pair[pair]));
    throughput.emit(out, *budget_, "agent_transport_throughput_mps",
                    "Frames received per second between the last two collection ticks.",
                    MetricType::Gauge);
    flow.emit(out, *budget_, "message_flow_matrix",
              "Frames received per second from source to target agent type over the last tick.",
              MetricType::Gauge);
}

void SocketMetrics::histograms(const SocketReading& now, SnapshotBuilder& out) {
    SummedHistograms latency, sizes;
    for (const auto& e : now.latency)
        latency.add({{"source_agent", str(agent_type_name(e.source_type))},
                     {"target_agent", str(agent_type_name(e.target_type))},
                     {"carrier", str(carrier_name(e.carrier))}},
                    e.histogram);
    for (const auto& e : now.sizes)
        sizes.add({{"msg_type", msg_type_name(e.msg_type)},
                   {"carrier", str(carrier_name(e.carrier))},
                   {"direction", str(direction_name(e.direction))}},
                  e.histogram);
    latency.emit(out, *budget_, "agent_transport_latency_seconds",
                 "Time from a frame's header timestamp (sender's CLOCK_MONOTONIC) to its receipt.",
                 bounds_.latency_seconds, 1e-9);
    sizes.emit(out, *budget_, "agent_transport_message_size_bytes",
               "Frame sizes (header and payload) in bytes.", bounds_.size_bytes, 1.0);
}

void SocketMetrics::errors(const SocketReading& now, SnapshotBuilder& out) {
    Summed errors, would_block;
    for (const auto& e : now.syscall_errors) {
        LabelSet labels{{"carrier", str(carrier_name(e.carrier))},
                        {"direction", str(direction_name(e.direction))}};
        // EAGAIN (== EWOULDBLOCK on Linux) is how a nonblocking socket says "not
        // now": normal flow control, so it has its own family and leaves the error
        // ratio meaningful.
        if (e.err == EAGAIN) {
            labels["error_type"] = "EAGAIN";
            would_block.add(labels, static_cast<double>(e.count));
            continue;
        }
        labels["error_type"] = errno_name(static_cast<int>(e.err));
        errors.add(labels, static_cast<double>(e.count));
    }
    // Frames from processes that are not agents, and frames whose header names
    // another agent than the sender: security signals, on the error family so the
    // error ratio sees them too. Present from the start, zero included.
    errors.add({{"carrier", "unix"}, {"direction", "received"}, {"error_type", "UNAUTHORIZED"}}, 0);
    for (const auto& e : now.intruders)
        errors.add({{"carrier", str(carrier_name(e.carrier))},
                    {"direction", "received"},
                    {"error_type", "UNAUTHORIZED"}},
                   static_cast<double>(e.frames));
    errors.add({{"carrier", "all"}, {"direction", "sent"}, {"error_type", "SPOOFED_SOURCE"}},
               static_cast<double>(now.walk_events[WALK_SPOOFED_SOURCE]));
    // Always present, zero included, so the error ratio has its series from the start.
    for (const auto& [event, type] : kErrorEvents)
        errors.add({{"carrier", "all"}, {"direction", "all"}, {"error_type", type}},
                   static_cast<double>(now.walk_events[event]));
    errors.emit(out, *budget_, "agent_transport_errors_total",
                "Failed sends and receives by errno, malformed frames, frames lost to a full "
                "map and packets dropped from receive queues.",
                MetricType::Counter);
    would_block.emit(out, *budget_, "agent_transport_would_block_total",
                     "Sends and receives on nonblocking sockets that returned EAGAIN.",
                     MetricType::Counter);
}

void SocketMetrics::agent_signals(const SocketReading& now, SnapshotBuilder& out) {
    SummedHistograms processing;
    for (std::uint32_t type = 0; type < AGENT_TYPE_SLOTS; ++type)
        if (now.processing[type].count())
            processing.add({{"agent_type", str(agent_type_name(type))}}, now.processing[type]);
    processing.emit(out, *budget_, "agent_processing_time_seconds",
                    "Time from an agent's receipt of a request to its send of the reply "
                    "(REPLY flag, same sequence), matched in the kernel.",
                    bounds_.latency_seconds, 1e-9);
    Summed unanswered, processed;
    for (std::uint32_t type = 1; type < AGENT_TYPE_SLOTS; ++type)
        unanswered.add({{"agent_type", str(agent_type_name(type))}},
                       static_cast<double>(now.unanswered[type]));
    unanswered.emit(out, *budget_, "agent_unanswered_requests_total",
                    "Requests an agent received and did not answer within the request timeout.",
                    MetricType::Counter);
    // Summed by type before any label set is built: tens of thousands of raw keys
    // per tick must not each build and compare a label map.
    std::array<double, AGENT_TYPE_SLOTS> received{};
    for (const auto& e : now.frames)
        if (e.key.direction == DIR_RECEIVED)
            received[std::min<std::uint32_t>(registry_.type_of(e.key.target),
                                             AGENT_TYPE_SLOTS - 1)] +=
                static_cast<double>(e.counts.frames);
    for (std::uint32_t type = 1; type < AGENT_TYPE_SLOTS; ++type)
        processed.add({{"agent_type", str(agent_type_name(type))}}, received[type]);
    processed.emit(out, *budget_, "agent_messages_processed_total",
                   "Frames agents received on their sockets, by receiving agent type.",
                   MetricType::Counter);
    for (const auto& [agent, packets] : now.backlog_by_agent)
        out.gauge("agent_queue_depth",
                  "Frames waiting for an agent: packets in its socket receive queues (a packet "
                  "holds at least one frame) plus frames in the rings it consumes.",
                  static_cast<double>(packets),
                  {{"agent_type", str(registry_.type_name_of(agent))},
                   {"agent_id", registry_.instance_name(agent)}});
    Summed intruders;
    for (const auto& e : now.intruders)
        intruders.add({{"offender_comm", e.comm},
                       {"offender_uid", std::to_string(e.uid)},
                       {"target_agent", str(agent_type_name(e.target_type))},
                       {"carrier", str(carrier_name(e.carrier))}},
                      static_cast<double>(e.frames));
    intruders.emit(out, *budget_, "agent_unauthorized_frames_total",
                   "Frames agents received from processes that are not agents, by offender "
                   "(comm and uid) and receiving agent. Never counted as agent traffic.",
                   MetricType::Counter);
}

void SocketMetrics::self_metrics(const SocketReading& now, SnapshotBuilder& out) {
    out.gauge("agentmon_bpf_map_entries", "Keys in use in a BPF hash map.",
              static_cast<double>(now.frames_map_entries), {{"map", "frames"}});
    out.gauge("agentmon_bpf_map_capacity", "max_entries of a BPF hash map.",
              static_cast<double>(now.frames_map_capacity), {{"map", "frames"}});
    std::map<std::string, double> events;  // by name, for sorted output
    for (std::uint32_t e = 0; e < WALK_EVENT_COUNT; ++e)
        events[str(walk_event_name(e))] = static_cast<double>(now.walk_events[e]);
    for (const auto& [event, count] : events)
        out.counter("agentmon_decoder_events_total",
                    "Events of the in-kernel frame decoder: malformed input, truncated walks, "
                    "full maps, unreadable buffers.",
                    count, {{"event", event}});
}

}  // namespace agentmon
