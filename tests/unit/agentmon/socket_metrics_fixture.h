#pragma once
// Readings and snapshot lookups the SocketMetrics tests share.
//
// SocketMetrics on hand-built readings: raw ids become names and sum per label set,
// histograms become cumulative Prometheus buckets in seconds, rates come from two
// readings, errors split from would-block, and the series budget folds and counts.
#include <doctest/doctest.h>

#include <prometheus/text_serializer.h>
#include <cerrno>
#include <limits>
#include <optional>

#include "transport_path_fixture.h"

namespace {

constexpr std::uint32_t kRequest = 1, kResponse = 2;
constexpr std::uint32_t kHigh = 1, kNormal = 2;

inline RawFrames frames(std::uint32_t source, std::uint32_t target, std::uint32_t msg_type,
                        std::uint32_t priority, std::uint32_t carrier, std::uint32_t direction,
                        std::uint64_t count, std::uint64_t bytes) {
    RawFrames e;
    e.key.source = source;
    e.key.target = target;
    e.key.msg_type = static_cast<__u16>(msg_type);
    e.key.priority = static_cast<__u8>(priority);
    e.key.carrier = static_cast<__u8>(carrier);
    e.key.direction = static_cast<__u8>(direction);
    e.counts.frames = count;
    e.counts.bytes = bytes;
    return e;
}

inline LabelSet transport(const char* source, const char* target, const char* msg_type,
                          const char* priority, const char* carrier, const char* direction) {
    return {{"source_agent", source}, {"target_agent", target}, {"msg_type", msg_type},
            {"priority", priority},   {"carrier", carrier},     {"direction", direction}};
}

// A tick at t = 10 s with a bit of everything.
inline SocketReading first_reading() {
    SocketReading r;
    r.monotonic_seconds = 10;
    set_raw_frames(
        r, {
               frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 10, 1680),
               // Instance 1 of DIRECTOR (id 29 = 1 + 28): same label set as id 1, so it adds up.
               frames(29, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 5, 840),
               frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 15, 2520),
               frames(3, 1, kResponse, kHigh, CARRIER_UNIX, DIR_RECEIVED, 7, 1176),
               // Values without a name: target 0, msg_type 99, priority 9.
               frames(2, 0, 99, 9, CARRIER_TCP, DIR_SENT, 1, 200),
           });

    LatencyEntry latency;
    latency.source_type = 1;
    latency.target_type = 3;
    latency.carrier = CARRIER_UNIX;
    latency.histogram.buckets[0] = 2;                // <= 1 ms
    latency.histogram.buckets[1] = 3;                // <= 10 ms
    latency.histogram.buckets[2] = 1;                // <= 100 ms
    latency.histogram.buckets[HIST_BOUNDS_MAX] = 4;  // above every bound
    latency.histogram.sum = 1'234'500'000;           // ns
    r.latency.push_back(latency);

    SizeEntry size;
    size.msg_type = kRequest;
    size.carrier = CARRIER_UNIX;
    size.direction = DIR_SENT;
    size.histogram.buckets[0] = 0;
    size.histogram.buckets[1] = 15;
    size.histogram.sum = 2520;
    r.sizes.push_back(size);

    r.syscall_errors = {{EAGAIN, CARRIER_UNIX, DIR_SENT, 12},
                        {EPIPE, CARRIER_UNIX, DIR_SENT, 3},
                        {ECONNRESET, CARRIER_TCP, DIR_RECEIVED, 2}};

    r.walk_events[WALK_MALFORMED] = 4;
    r.walk_events[WALK_MALFORMED_BYTES] = 100;
    r.walk_events[WALK_TRUNCATED] = 2;
    r.walk_events[WALK_RCVQ_DROPS] = 1;
    r.frames_map_entries = 5;
    r.frames_map_capacity = 65536;
    return r;
}

// Two seconds later: more received frames, an instance and a TCP pair joining in.
inline SocketReading second_reading() {
    SocketReading r = first_reading();
    r.monotonic_seconds = 12;
    set_raw_frames(r, {
                          frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 25, 4200),
                          frames(29, 3, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 6, 1008),
                          frames(3, 1, kResponse, kHigh, CARRIER_UNIX, DIR_RECEIVED, 17, 2856),
                          frames(2, 5, kRequest, kNormal, CARRIER_TCP, DIR_RECEIVED, 4, 672),
                          // Sent frames never count towards the received rates.
                          frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 1000, 168000),
                      });
    return r;
}

inline SocketPath default_metrics() { return SocketPath(); }

struct Expected {
    const char* family;
    LabelSet labels;
    double value;
};

inline void check_all(const Snapshot& s, const std::vector<Expected>& expected) {
    for (const auto& e : expected) {
        CAPTURE(e.family);
        CAPTURE(prometheus::TextSerializer().Serialize(
            {prometheus::MetricFamily{e.family, "", {}, {[&] {
                                          prometheus::ClientMetric m;
                                          for (const auto& [k, v] : e.labels)
                                              m.label.push_back({k, v});
                                          return m;
                                      }()}}}));
        CHECK(value(s, e.family, e.labels) == std::optional<double>(e.value));
    }
}

}  // namespace
