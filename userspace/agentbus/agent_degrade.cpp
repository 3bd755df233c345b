// The degrade fault (an agent dying the way real agents die) and the burst
// fault (a benign load surge). Degrade ramps from healthy to broken over its
// SECONDS, so a detector can be scored on how early it sees the end coming.
#include <sys/resource.h>

#include <cstdlib>

#include "agent_impl.h"

namespace agentbus::detail {

namespace {
// At full degradation: replies wait this long, the loop spends this long per
// iteration, this share of iterations reads nothing, this share of replies
// are ERROR frames, and this much memory is held.
constexpr double kMaxReplyDelayMs = 50;
constexpr double kMaxIterationSleepUs = 3000;
constexpr double kMaxSkippedReads = 0.9;
constexpr double kMaxErrorShare = 0.3;
constexpr size_t kMaxBallastBytes = size_t(128) << 20;
constexpr size_t kBallastChunk = size_t(1) << 20;

// Burst: BURST_FACTOR times the rate for BURST_ON of every BURST_PERIOD.
constexpr double kBurstFactor = 4;
constexpr uint64_t kBurstOnNs = 1000 * kMs;
constexpr uint64_t kBurstPeriodNs = 3000 * kMs;
}  // namespace

double Agent::degrade_progress(uint64_t now) const {
    const uint64_t start = shm_->start_ns.load(std::memory_order_relaxed);
    if (!start) return -1;
    const uint64_t from = start + uint64_t(o_.fault_start * 1e9);
    for (const auto& f : o_.faults) {
        if (f.kind != FaultKind::kDegrade || f.agent != id_) continue;
        const uint64_t to = from + uint64_t(f.seconds * 1e9);
        if (now < from || now >= to) return -1;
        return double(now - from) / double(to - from);
    }
    return -1;
}

// Once per loop iteration. Returns true when the agent reads nothing this
// iteration. Aborts when the ramp has run out: the crash is the end of it.
bool Agent::degrade_tick(uint64_t now) {
    const double p = degrade_progress(now);
    if (p < 0) {
        if (degrading_) {
            // A restarted process never saw the ramp and does not crash again.
            flush_stats(true);
            rlimit none{0, 0};
            setrlimit(RLIMIT_CORE, &none);  // a 128 MiB core helps no one
            std::abort();
        }
        return false;
    }
    degrading_ = true;
    degrade_p_ = p;
    // Memory: allocate and touch, so the growth is resident, not just virtual.
    while (ballast_.size() * kBallastChunk < size_t(p * double(kMaxBallastBytes))) {
        ballast_.emplace_back(new uint8_t[kBallastChunk]);
        std::memset(ballast_.back().get(), int(ballast_.size()), kBallastChunk);
    }
    ctr_[kDegradeHeldKb] = ballast_.size() * (kBallastChunk >> 10);
    ctr_[kDegradeDelayUs] = uint64_t(p * kMaxReplyDelayMs * 1000);
    // Processing time: each iteration takes longer, so everything slows.
    if (const auto us = useconds_t(p * kMaxIterationSleepUs)) usleep(us);
    // Backlog: more and more iterations do not read, so the queues fill.
    return double(rnd() % 1000) < p * kMaxSkippedReads * 1000;
}

// A reply from a degrading agent: delayed by the ramp, and sometimes an ERROR
// frame instead of the answer. Returns false when the agent is healthy.
bool Agent::degrade_reply(Carrier c, const AgenHeader& h, uint32_t rt) {
    if (degrade_p_ < 0) return false;
    if (double(rnd() % 1000) < degrade_p_ * kMaxErrorShare * 1000) {
        rt = uint32_t(MsgType::ERROR);
        ++ctr_[kDegradeErrors];
    }
    const uint64_t due = rx_now_ + uint64_t(degrade_p_ * kMaxReplyDelayMs * 1e6);
    // The timer queue is served from the front; the delay only grows, so a
    // due time never falls before the last one.
    delayed_.push_back({std::max(due, delayed_.empty() ? 0 : delayed_.back().due), c,
                        h.source_agent - 1, rt, h.sequence});
    return true;
}

double Agent::burst_factor(uint64_t now) const {
    if (!fault_active(FaultKind::kBurst, now)) return 1;
    const uint64_t from =
        shm_->start_ns.load(std::memory_order_relaxed) + uint64_t(o_.fault_start * 1e9);
    return (now - from) % kBurstPeriodNs < kBurstOnNs ? kBurstFactor : 1;
}

}  // namespace agentbus::detail
