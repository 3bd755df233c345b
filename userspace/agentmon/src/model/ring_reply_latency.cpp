#include "model/ring_reply_latency.h"

#include <algorithm>

namespace agentmon {

void ReplyTimes::add(const std::vector<SampledFrame>& sample) {
    for (const auto& f : sample)
        if (f.role == FRAME_REPLY) {
            sent_.emplace_back(f.source, f.target, f.sequence, f.sent_ns);
            sorted_ = false;
        }
}

const std::vector<ReplyTimes::Entry>& ReplyTimes::sorted() const {
    // Once, at the first lookup after the tick's adds (every ring's sample is added
    // before any is measured): a key's earliest reply sorts first.
    if (!sorted_) {
        std::sort(sent_.begin(), sent_.end());
        sorted_ = true;
    }
    return sent_;
}

std::optional<std::uint64_t> ReplyTimes::latency_of(const SampledFrame& request,
                                                    std::uint32_t consumer,
                                                    const RingTick& tick) const {
    if (request.role != FRAME_REQUEST) return std::nullopt;
    const Entry first{consumer, request.source, request.sequence, 0};
    const auto& sent = sorted();
    const auto it = std::lower_bound(sent.begin(), sent.end(), first);
    if (it == sent.end() || std::get<0>(*it) != consumer || std::get<1>(*it) != request.source ||
        std::get<2>(*it) != request.sequence)
        return std::nullopt;
    const std::uint64_t reply_sent = std::get<3>(*it);
    // A reply stamped before its request was sent answers an earlier request with
    // the same sequence (a restarted requester): no measurement.
    if (reply_sent < request.sent_ns) return std::nullopt;
    std::uint64_t latency = reply_sent - request.sent_ns;
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
