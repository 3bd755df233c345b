#pragma once
// Observations and snapshot lookups the RingMetrics tests share.
//
// RingMetrics on hand-made observations: exact counts apportioned over the sampled
// label sets (summing exactly to the rings' counters), the last mix or the ring's
// own agents when nothing was sampled, monotonic counters, queue and head-of-line
// gauges, ring errors, and the per-second gauges from the second tick on.
#include "transport_path_fixture.h"

namespace {

constexpr std::uint32_t kDirector = 1, kSecurity = 3, kTestbed = 5;
constexpr std::uint32_t kRequest = 1, kResponse = 2, kTask = 8;
constexpr std::uint32_t kHigh = 1, kNormal = 2;
const char* const kRing = "agent_ring_bus_100_0";

inline SampledFrame frame(std::uint32_t source, std::uint32_t target, std::uint32_t msg_type,
                          std::uint32_t priority, std::uint64_t bytes,
                          std::uint64_t latency_ns = 0) {
    return SampledFrame{.source = source,
                        .target = target,
                        .msg_type = msg_type,
                        .priority = priority,
                        .bytes = bytes,
                        .latency_ns = latency_ns};
}

inline RingObservation observation(std::string ring = kRing, std::uint32_t producer = kDirector,
                                   std::uint32_t consumer = kSecurity) {
    RingObservation o;
    o.ring = std::move(ring);
    o.producer = producer;
    o.consumer = consumer;
    return o;
}

inline RingPath metrics() { return RingPath(); }

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

inline LabelSet transport(const char* source, const char* target, const char* msg_type,
                          const char* priority, const char* direction) {
    return {{"source_agent", source}, {"target_agent", target}, {"msg_type", msg_type},
            {"priority", priority},   {"carrier", "ring"},      {"direction", direction}};
}

// A sample of three 200-byte requests and a 400-byte response, DIRECTOR to SECURITY.
inline std::vector<SampledFrame> request_mix() {
    const SampledFrame request = frame(kDirector, kSecurity, kRequest, kNormal, 200);
    return {request, request, request, frame(kDirector, kSecurity, kResponse, kHigh, 400)};
}

// `o` with `frames` frames of `bytes` bytes read this tick, `sample` of them sampled.
inline RingObservation with_reads(RingObservation o, std::uint64_t frames, std::uint64_t bytes,
                                  std::vector<SampledFrame> sample = {}) {
    o.tick.read_frames = frames;
    o.tick.read_bytes = bytes;
    o.tick.read_sample = std::move(sample);
    return o;
}

}  // namespace
