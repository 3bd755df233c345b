#pragma once
// agent_health_score: 0..100 from what the kernel measured about one agent
// instance. Each input is optional; a missing input costs nothing, so signals that
// other collectors add later (the socket path's errors, queues, unanswered
// requests, last send) plug in without changing the scores of the ones present.
// The formula is documented in docs/metrics.md ("Health score"); the thresholds
// below are its single source.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "analytics/agent_activity.h"

namespace agentmon {

struct HealthInputs {
    bool alive = true;                          // a process of the agent is running
    std::optional<double> error_ratio;          // failed / attempted sends, last window
    std::optional<double> queue_depth;          // frames waiting for the agent
    std::optional<double> runq_delay_seconds;   // mean run-queue wait, last tick
    std::optional<double> cpu_fraction;         // of one core, last tick
    std::optional<double> unanswered_requests;  // requests past their reply timeout
    std::optional<double> seconds_since_sent;   // since the agent last sent a frame
};

// Penalty points per input; the score is 100 minus their sum, floored at 0.
struct HealthPenalties {
    double errors = 0;      // 0 at <= 0.1 % (the availability SLO), linear to 40 at 10 %
    double queue = 0;       // 15 above 50 frames, 30 above 100
    double starvation = 0;  // 10 above 10 ms mean run-queue wait, 20 above 50 ms
    double cpu = 0;         // 10 above 60 % of a core, 20 above 80 %
    double unanswered = 0;  // 2 per unanswered request, at most 20
    double silence = 0;     // 25 after 30 s without sending, 50 after 60 s
    double total() const { return errors + queue + starvation + cpu + unanswered + silence; }
};

HealthPenalties health_penalties(const HealthInputs& in);

// 0 for an agent without a running process; else 100 - penalties, in [0, 100].
double health_score(const HealthInputs& in);

// What collectors other than the agent collector know about agent instances, by
// agent id: the transport paths fill these (errors, queue depth, unanswered
// requests, last send); the agent collector adds its own inputs and scores. The
// collection loop clears it at the start of every tick (TickContext), so no
// writer has to know whether it runs first.
struct AgentSignalBoard {
    std::map<std::uint32_t, HealthInputs> by_agent;
    std::map<std::uint32_t, AgentActivity> activity;  // for the analytics collector
    std::map<std::string, double> ring_fill;          // ring file -> used / size, 0..1
    // By carrier name, since agentmon started: frames sent, and sends refused with
    // EAGAIN (the socket's send buffer, or the peer's receive queue, full).
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> sends_by_carrier;
};

}  // namespace agentmon
