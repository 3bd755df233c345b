#include "collect/activity_signals.h"

#include <algorithm>
#include <cerrno>
#include <string>

namespace agentmon {

std::optional<double> histogram_quantile_seconds(const HistogramReading& h,
                                                 const std::vector<double>& bounds_seconds,
                                                 double q) {
    const std::uint64_t total = h.count();
    if (total == 0 || bounds_seconds.empty()) return std::nullopt;
    const double rank = q * static_cast<double>(total);
    double below = 0;
    const std::size_t n = std::min(bounds_seconds.size(), h.buckets.size() - 1);
    for (std::size_t i = 0; i < n; ++i) {
        const double in = static_cast<double>(h.buckets[i]);
        if (below + in >= rank && in > 0) {
            const double lower = i == 0 ? 0 : bounds_seconds[i - 1];
            return lower + (bounds_seconds[i] - lower) * (rank - below) / in;
        }
        below += in;
    }
    return bounds_seconds[n - 1];  // above the last bound: the last bound, as Prometheus
}

void post_agent_activity(const AgentTracker& tracker, AgentSignalBoard& board) {
    for (const auto& [id, inst] : tracker.instances()) {
        AgentActivity& a = board.activity[id];
        a.seen_by_agent_path = true;
        a.type = inst.type;
        a.tgid = inst.tgid;
        a.cpu_fraction = inst.cpu_fraction;
        a.runq_delay_seconds = inst.runq_delay_seconds;
        a.resident_bytes = static_cast<double>(inst.resident_bytes);
    }
}

void ActivitySignals::post(const SocketReading& reading, AgentSignalBoard& board) {
    for (const auto& e : reading.pairs)
        if (e.direction == DIR_SENT)
            board.sends_by_carrier[std::string(carrier_name(e.carrier))].first += e.counts.frames;
    for (const auto& [id, sent] : reading.sent_by_agent) {
        AgentActivity& a = board.activity[id];
        a.frames_sent = a.frames_sent.value_or(0) + sent.frames;
        a.error_frames_sent = a.error_frames_sent.value_or(0) + sent.error_frames;
    }
    for (const auto& e : reading.syscall_errors)
        if (e.err == EAGAIN && e.direction == DIR_SENT)
            board.sends_by_carrier[std::string(carrier_name(e.carrier))].second += e.count;
    for (const auto& [agent, failed] : reading.errors_by_agent)
        board.activity[agent].failed_calls = failed;
    std::array<std::optional<double>, AGENT_TYPE_SLOTS> p99{};
    for (std::uint32_t type = 1; type < AGENT_TYPE_SLOTS; ++type) {
        HistogramReading delta;
        const HistogramReading& now = reading.processing[type];
        HistogramReading& before = processing_before_[type];
        // A map recreated under us restarts from zero: take the new counts whole.
        bool reset = false;
        for (std::size_t i = 0; i < now.buckets.size(); ++i)
            reset |= now.buckets[i] < before.buckets[i];
        for (std::size_t i = 0; i < now.buckets.size(); ++i)
            delta.buckets[i] = reset ? now.buckets[i] : now.buckets[i] - before.buckets[i];
        before = now;
        p99[type] = histogram_quantile_seconds(delta, bounds_, 0.99);
    }
    for (auto& [id, a] : board.activity) {
        const std::uint32_t type = registry_.type_of(id);
        if (type < AGENT_TYPE_SLOTS && p99[type]) a.latency_p99_seconds = p99[type];
    }
}

}  // namespace agentmon
