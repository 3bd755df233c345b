#pragma once
// What the analytics collector reads about each agent instance in a tick, beside
// the health inputs: the agent path's view of its process and the socket path's
// counts. Posted on the tick's AgentSignalBoard by the collectors that measure
// them; the collection loop clears it at the start of every tick.
#include <cstdint>
#include <optional>

namespace agentmon {

struct AgentActivity {
    // From the agent state path (absent when it is off).
    bool seen_by_agent_path = false;
    std::uint32_t type = 0;
    std::uint32_t tgid = 0;  // the live process; 0 when none
    double cpu_fraction = 0;
    std::optional<double> runq_delay_seconds;
    double resident_bytes = 0;
    // From the socket path: frames the agent sent since agentmon started, of
    // them ERROR frames, and its type's p99 processing time over the last tick
    // (processing time is measured per responding type).
    std::optional<std::uint64_t> frames_sent;
    std::optional<std::uint64_t> error_frames_sent;
    std::optional<std::uint64_t> failed_calls;  // failed sends and receives (EAGAIN excluded)
    std::optional<double> latency_p99_seconds;
};

}  // namespace agentmon
