#include "collect/socket_signals.h"

#include <algorithm>

namespace agentmon {

void SocketSignals::post(const SocketReading& reading, AgentSignalBoard& board) {
    const double now = reading.monotonic_seconds;
    // Unanswered requests over the last 30 s, by the responder's type.
    unanswered_window_.emplace_back(now, reading.unanswered);
    while (unanswered_window_.size() > 1 && unanswered_window_.front().first < now - 30)
        unanswered_window_.pop_front();
    const auto& oldest = unanswered_window_.front().second;
    std::map<std::uint32_t, std::uint64_t> sent_now;
    for (const auto& [id, sent] : reading.sent_by_agent) sent_now[id] += sent.frames;
    for (const auto& [id, frames] : sent_now) {
        auto [it, added] = sent_.try_emplace(id, frames, now);
        if (!added && frames != it->second.first) it->second = {frames, now};
    }
    // Error ratio over the last tick: failed calls over frames sent plus failures.
    std::map<std::uint32_t, double> error_ratio;
    for (const auto& [agent, errors] : reading.errors_by_agent) {
        auto& [errors_before, sent_before] = errors_before_[agent];
        const std::uint64_t sent = sent_now.count(agent) ? sent_now.at(agent) : 0;
        const double failed = errors >= errors_before ? double(errors - errors_before) : 0;
        const double attempted = failed + (sent >= sent_before ? double(sent - sent_before) : 0);
        if (attempted > 0) error_ratio[agent] = failed / attempted;
        errors_before = errors;
        sent_before = sent;
    }
    for (const auto& [agent, packets] : reading.backlog_by_agent) {
        HealthInputs& in = board.by_agent[agent];
        in.queue_depth =
            in.queue_depth.value_or(0) + static_cast<double>(std::max<std::int64_t>(packets, 0));
        const std::uint32_t type = context_.registry.type_of(agent);
        if (type < AGENT_TYPE_SLOTS)
            in.unanswered_requests = static_cast<double>(reading.unanswered[type] - oldest[type]);
        if (auto sent = sent_.find(agent); sent != sent_.end())
            in.seconds_since_sent = now - sent->second.second;
        if (auto ratio = error_ratio.find(agent); ratio != error_ratio.end())
            in.error_ratio = ratio->second;
    }
}

}  // namespace agentmon
