#pragma once
// Ring latency measured by the consumer's own clock. A ring keeps only when a frame
// was sent; when it was consumed happened between two of agentmon's reads, a tick
// apart, while a ring's latency is often tens of microseconds. A reply is stamped
// by the agent that consumed the request right after it consumed it, so a request
// whose reply is in some ring's sample of the same tick (the reply's source is the
// request's consumer, its target the requester, its sequence the request's) was
// consumed at most the reply's timestamp after it was sent (docs/ring-path.md
// "Latency"). Pure: unit tests feed hand-built samples.
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "model/ring_decode.h"

namespace agentmon {

class ReplyTimes {
  public:
    // Indexes the replies of one ring's sample (its written or read frames).
    void add(const std::vector<SampledFrame>& sample);
    // The latency of `request`, read from a ring whose consumer is `consumer` in
    // `tick`: its reply's send time minus its own, kept inside what the tick's
    // reads allow (consumed after the previous read, by this one). Nothing when
    // it is no request or its reply was not sampled.
    std::optional<std::uint64_t> latency_of(const SampledFrame& request, std::uint32_t consumer,
                                            const RingTick& tick) const;
    // The requests of `sample` (read from a ring whose consumer is `consumer`)
    // with a sampled reply, each with latency_ns set to its measured latency.
    std::vector<SampledFrame> measured(const std::vector<SampledFrame>& sample,
                                       std::uint32_t consumer, const RingTick& tick) const;
    bool empty() const { return sent_.empty(); }
    // Forgets every reply and keeps the storage, for the next tick's.
    void clear() {
        sent_.clear();
        sorted_ = true;
    }

  private:
    // (responder, requester, sequence, the reply's send time), sorted: the first
    // entry of a key holds its earliest reply. A flat vector reused from tick to
    // tick, where a hash map allocated a node per reply every tick.
    // Added in any order; sorted once, at the first lookup after an add.
    using Entry = std::tuple<std::uint32_t, std::uint32_t, std::uint64_t, std::uint64_t>;
    const std::vector<Entry>& sorted() const;
    mutable std::vector<Entry> sent_;
    mutable bool sorted_ = true;
};

}  // namespace agentmon
