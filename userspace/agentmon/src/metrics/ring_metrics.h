#pragma once
// Turns the ring path's per-tick observations into the transport families with
// carrier="ring" (written into the tick's TransportSink, beside the socket
// path's), the ring gauges and the ring errors. Exact counts come from the
// rings' own counters; the breakdown by source, target, message type and priority
// comes from the sampled frames, apportioned so that it sums exactly to the
// counts (docs/ring-path.md). Pure: unit tests feed hand-built observations.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/socket_reading.h"
#include "metrics/snapshot.h"
#include "metrics/transport_sink.h"
#include "model/agent_registry.h"
#include "model/ring_decode.h"
#include "model/ring_reply_latency.h"

namespace agentmon {

struct RingObservation {
    std::string ring;                          // file name: the ring label
    std::uint32_t producer = 0, consumer = 0;  // agent ids from the control block
    RingTick tick;
    std::vector<std::string> new_errors;  // error states the ring entered this tick
};

// Splits `total` over `weights` in proportion, in whole units, summing exactly to
// `total`: each gets the floor of its share, and the largest remainders one more.
// All-zero weights split evenly.
std::vector<std::uint64_t> apportion(std::uint64_t total, const std::vector<double>& weights);

// The error types the ring path reports on agent_transport_errors_total.
const std::vector<std::string>& ring_error_types();

class RingMetrics {
  public:
    // `sink`: the tick context's, shared with the socket path; its bounds are the
    // histograms' buckets.
    RingMetrics(AgentRegistry registry, std::shared_ptr<TransportSink> sink);

    // Accounts one tick's observations, writes the transport samples into the
    // sink and appends the ring path's own gauges to `out`. `now_seconds` is
    // CLOCK_MONOTONIC, for the per-second gauges.
    void build(const std::vector<RingObservation>& rings, double now_seconds, SnapshotBuilder& out);
    // Drops what is kept of a ring between ticks (its last breakdown, its
    // measured requests), once it is closed and read for the last time.
    void forget(const std::string& ring);

  private:
    struct Mix {  // a ring's last known breakdown, for a tick whose sample is empty
        std::vector<std::uint64_t> keys;
        std::vector<double> frames, bytes;
    };
    void account_direction(const RingObservation& o, std::uint32_t direction);
    void account_latency(const RingObservation& o, const ReplyTimes& replies);
    void account_sizes(const RingObservation& o, std::uint32_t direction);
    // Groups a sample by (group_of(frame), bucket of value_of(frame) * scale in
    // `bounds`) and gives the exact `frames` out over the groups in proportion,
    // into `into` by group; sums stay in value_of's unit.
    template <class Group, class Value>
    static void apportion_histogram(const std::vector<SampledFrame>& sample, std::uint64_t frames,
                                    const std::vector<double>& bounds, double scale, Group group_of,
                                    Value value_of,
                                    std::map<std::uint32_t, HistogramReading>& into);
    void emit_transport();
    void emit_gauges(const std::vector<RingObservation>& rings, double now_seconds,
                     SnapshotBuilder& out);

    AgentRegistry registry_;
    std::shared_ptr<TransportSink> sink_;
    std::map<std::uint32_t, HistogramReading> sizes_;  // by msg_type slot << 1 | direction
    std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> totals_;  // frames, bytes
    std::map<std::uint32_t, HistogramReading> latency_;  // by source type << 8 | target type
    ReplyTimes replies_;  // this tick's sampled replies; a member to reuse its storage
    std::map<std::string, std::uint64_t> errors_;
    std::map<std::pair<std::string, std::uint32_t>, Mix> last_mix_;  // by (ring, direction)
    // A ring's requests with a measured latency over the last kLatencyPoolTicks
    // ticks that measured any (at most kLatencyPoolFrames, newest kept): what the
    // frames of a tick that measured fewer than kLatencyOwnTickMeasured are
    // apportioned over (docs/ring-path.md "Latency").
    struct MeasuredPool {
        std::deque<std::pair<std::uint64_t, SampledFrame>> frames;  // (tick, request)
        std::vector<SampledFrame> flat;                             // frames, for apportioning
    };
    static constexpr std::uint64_t kLatencyPoolTicks = 8;
    static constexpr std::size_t kLatencyPoolFrames = 512;
    static constexpr std::size_t kLatencyOwnTickMeasured = 8;
    std::map<std::string, MeasuredPool> measured_;
    std::uint64_t tick_ = 0;
    std::map<std::uint32_t, std::uint64_t> read_by_pair_;  // this tick, for the flow gauge
    std::optional<double> previous_seconds_;
};

}  // namespace agentmon
