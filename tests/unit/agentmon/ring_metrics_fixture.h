#pragma once
// Observations and snapshot lookups the RingMetrics tests share.
//
// RingMetrics on hand-made observations: exact counts apportioned over the sampled
// label sets (summing exactly to the rings' counters), the last mix or the ring's
// own agents when nothing was sampled, monotonic counters, queue and head-of-line
// gauges, ring errors, and the per-second gauges from the second tick on.
#include <doctest/doctest.h>

#include <memory>
#include <optional>

#include "metrics/ring_metrics.h"

using namespace agentmon;

namespace {

constexpr std::uint32_t kDirector = 1, kSecurity = 3, kTestbed = 5;
constexpr std::uint32_t kRequest = 1, kResponse = 2, kTask = 8;
constexpr std::uint32_t kHigh = 1, kNormal = 2;
const char* const kRing = "agent_ring_bus_100_0";

inline SampledFrame frame(std::uint32_t source, std::uint32_t target, std::uint32_t msg_type,
                          std::uint32_t priority, std::uint64_t bytes,
                          std::uint64_t latency_ns = 0) {
    SampledFrame f;
    f.source = source;
    f.target = target;
    f.msg_type = msg_type;
    f.priority = priority;
    f.bytes = bytes;
    f.latency_ns = latency_ns;
    return f;
}

inline RingObservation observation(std::string ring = kRing, std::uint32_t producer = kDirector,
                                   std::uint32_t consumer = kSecurity) {
    RingObservation o;
    o.ring = std::move(ring);
    o.producer = producer;
    o.consumer = consumer;
    return o;
}

inline RingMetrics metrics() {
    return RingMetrics(AgentRegistry(), {0.001, 0.01, 0.1}, std::make_shared<SeriesBudget>());
}

inline Snapshot build(RingMetrics& m, const std::vector<RingObservation>& rings, double now) {
    SnapshotBuilder builder;
    m.build(rings, now, builder);
    return std::move(builder).build();
}

inline const prometheus::MetricFamily* family(const Snapshot& s, const std::string& name) {
    for (const auto& f : s.families)
        if (f.name == name) return &f;
    return nullptr;
}

inline LabelSet labels_of(const prometheus::ClientMetric& m) {
    LabelSet labels;
    for (const auto& l : m.label) labels[l.name] = l.value;
    return labels;
}

inline std::optional<double> value(const Snapshot& s, const std::string& name,
                                   const LabelSet& labels) {
    const auto* f = family(s, name);
    if (!f) return std::nullopt;
    for (const auto& m : f->metric)
        if (labels_of(m) == labels)
            return f->type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
    return std::nullopt;
}

// The sum of a counter family's samples whose labels include `match`.
inline double sum(const Snapshot& s, const std::string& name, const LabelSet& match) {
    const auto* f = family(s, name);
    double total = 0;
    if (!f) return total;
    for (const auto& m : f->metric) {
        const LabelSet labels = labels_of(m);
        bool ok = true;
        for (const auto& [k, v] : match)
            if (!labels.count(k) || labels.at(k) != v) ok = false;
        if (ok) total += m.counter.value;
    }
    return total;
}

inline std::size_t samples(const Snapshot& s, const std::string& name) {
    const auto* f = family(s, name);
    return f ? f->metric.size() : 0;
}

inline LabelSet transport(const char* source, const char* target, const char* msg_type,
                          const char* priority, const char* direction) {
    return {{"source_agent", source}, {"target_agent", target}, {"msg_type", msg_type},
            {"priority", priority},   {"carrier", "ring"},      {"direction", direction}};
}

const char* const kMessages = "agent_transport_messages_total";
const char* const kBytes = "agent_transport_bytes_total";

}  // namespace
