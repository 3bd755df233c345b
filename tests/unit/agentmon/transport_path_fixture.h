#pragma once
// The socket and ring paths' metrics with what the tick context gives them (one
// series budget, one transport sink), one tick built the way the collection loop
// builds it, and checks of the snapshot it makes (lookups: snapshot_lookup.h).
#include <doctest/doctest.h>

#include <cstring>
#include <map>
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

// One raw frame key's counts, as the kernel's walker sees them (agent ids).
struct RawFrames {
    frame_key key{};
    frame_counts counts{};
};

// What the kernel's flush does with raw keys (bpf/socket_count.bpf.h): the frames
// map keyed by types and the `keep` fields, the pair array, and the senders' counts.
inline void add_raw_frames(SocketReading& r, const std::vector<RawFrames>& raw,
                           const AgentRegistry& registry = AgentRegistry(),
                           std::uint32_t keep = KEEP_ALL) {
    std::map<std::uint64_t, FrameCountEntry> frames;
    std::map<std::uint32_t, PairCountEntry> pairs;
    for (const auto& e : r.frames) {
        std::uint64_t packed = 0;
        std::memcpy(&packed, &e.key, sizeof(packed));
        frames[packed] = e;
    }
    for (const auto& e : r.pairs)
        pairs[pair_index(e.source_type, e.target_type, e.carrier, e.direction)] = e;
    for (const auto& [key, counts] : raw) {
        const std::uint32_t source = registry.type_of(key.source),
                            target = registry.type_of(key.target);
        frame_series_key k{};
        k.source_type = static_cast<__u8>(keep & KEEP_SOURCE ? source : 0);
        k.target_type = static_cast<__u8>(keep & KEEP_TARGET ? target : 0);
        k.msg_type = static_cast<__u8>(
            keep & KEEP_MSG_TYPE && key.msg_type < MSG_TYPE_SLOTS ? key.msg_type : 0);
        k.priority = static_cast<__u8>(!(keep & KEEP_PRIORITY)        ? 0
                                       : key.priority <= PRIORITY_MAX ? key.priority
                                                                      : PRIORITY_MAX + 1);
        k.carrier = key.carrier;
        k.direction = key.direction;
        std::uint64_t packed = 0;
        std::memcpy(&packed, &k, sizeof(packed));
        FrameCountEntry& f = frames[packed];
        f.key = k;
        f.counts.frames += counts.frames;
        f.counts.bytes += counts.bytes;
        PairCountEntry& p = pairs[pair_index(source, target, key.carrier, key.direction)];
        p.source_type = source;
        p.target_type = target;
        p.carrier = key.carrier;
        p.direction = key.direction;
        p.counts.frames += counts.frames;
        p.counts.bytes += counts.bytes;
        if (key.direction == DIR_SENT) {
            agent_sends& sent = r.sent_by_agent[key.source];
            sent.frames += counts.frames;
            if (key.msg_type == MSG_TYPE_ERROR) sent.error_frames += counts.frames;
        } else {
            r.received_by_agent[key.target] += counts.frames;  // by the header's target
        }
    }
    r.frames.clear();
    for (const auto& [packed, e] : frames) r.frames.push_back(e);
    r.pairs.clear();
    for (const auto& [index, e] : pairs) r.pairs.push_back(e);
}

// The same on a reading holding no frames yet.
inline void set_raw_frames(SocketReading& r, const std::vector<RawFrames>& raw,
                           const AgentRegistry& registry = AgentRegistry(),
                           std::uint32_t keep = KEEP_ALL) {
    r.frames.clear();
    r.pairs.clear();
    r.sent_by_agent.clear();
    r.received_by_agent.clear();
    add_raw_frames(r, raw, registry, keep);
}

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
