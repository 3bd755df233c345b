#pragma once
// The socket path's health inputs per agent instance, from one tick's reading:
// frames waiting in its receive queues, requests of its type left unanswered in
// the last 30 s, seconds since it last sent, and its error ratio over the last
// tick. Agent ids resolve to types through the tick context's registry (the one
// built from the config's agents entries), so the inputs name what the metrics do.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <utility>

#include "analytics/health.h"
#include "collect/tick_context.h"
#include "kernel/socket_reading.h"

namespace agentmon {

class SocketSignals {
  public:
    explicit SocketSignals(const TickContext& context) : context_(context) {}

    // Adds this reading's inputs to `board` (cleared by the loop at tick start).
    void post(const SocketReading& reading, AgentSignalBoard& board);

  private:
    const TickContext& context_;
    // Per agent id: frames sent at the last tick, and when that number last grew.
    std::map<std::uint32_t, std::pair<std::uint64_t, double>> sent_;
    // Per agent id: failed calls and frames sent at the last tick, for the error ratio.
    std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> errors_before_;
    // Unanswered requests by type, as of each of the last ticks (a 30 s window).
    std::deque<std::pair<double, std::array<std::uint64_t, AGENT_TYPE_SLOTS>>> unanswered_window_;
};

}  // namespace agentmon
