#include "model/ring_reply_latency.h"

#include <algorithm>

namespace agentmon {

void ReplyTimes::add(const std::vector<SampledFrame>& sample) {
    for (const auto& f : sample) {
        if (f.role != FRAME_REPLY) continue;
        auto [it, fresh] = sent_.try_emplace(Key{f.source, f.target, f.sequence}, f.sent_ns);
        if (!fresh) it->second = std::min(it->second, f.sent_ns);
    }
}

std::optional<std::uint64_t> ReplyTimes::latency_of(const SampledFrame& request,
                                                    std::uint32_t consumer,
                                                    const RingTick& tick) const {
    if (request.role != FRAME_REQUEST) return std::nullopt;
    const auto it = sent_.find(Key{consumer, request.source, request.sequence});
    // A reply stamped before its request was sent answers an earlier request with
    // the same sequence (a restarted requester): no measurement.
    if (it == sent_.end() || it->second < request.sent_ns) return std::nullopt;
    std::uint64_t latency = it->second - request.sent_ns;
    // The request was still in the ring at the previous read and gone at this one.
    if (tick.consumed_after_ns > request.sent_ns)
        latency = std::max(latency, tick.consumed_after_ns - request.sent_ns);
    if (tick.consumed_by_ns > request.sent_ns)
        latency = std::min(latency, tick.consumed_by_ns - request.sent_ns);
    return latency;
}

std::vector<SampledFrame> ReplyTimes::measured(const std::vector<SampledFrame>& sample,
                                               std::uint32_t consumer, const RingTick& tick) const {
    std::vector<SampledFrame> out;
    if (sent_.empty()) return out;
    for (const auto& f : sample) {
        if (auto latency = latency_of(f, consumer, tick)) {
            out.push_back(f);
            out.back().latency_ns = *latency;
        }
    }
    return out;
}

}  // namespace agentmon
