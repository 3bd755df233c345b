#pragma once
// The agent state path without BPF: where the kernel cannot load the agent state
// object (before 5.11 there are no task storage maps, so its marks cannot exist),
// the same per-process readings come from /proc once a tick, for the processes
// discovery found. Per thread, /proc/<pid>/task/<tid>/schedstat holds the very
// counters the kernel's iterator reads (sum_exec_runtime, run_delay, pcount), so
// CPU time and run-queue delay are the same figures; what /proc cannot give is
// the kernel's exit hook: a thread's last interval before it exits is lost, and
// only processes discovery found are watched. How a process ended, once its
// parent has reaped it, comes from the kernel's process events connector
// (kernel/proc_exit_events.h); without it such an exit ends without its status.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kernel/agent_state_maps.h"
#include "kernel/proc_exit_events.h"
#include "model/process_discovery.h"

namespace agentmon {

class AgentStateProcfs {
  public:
    // `proc_root`: the /proc discovery scans (the host's, or a mount of it).
    explicit AgentStateProcfs(std::string proc_root);

    // Watches the processes of `tasks` not watched yet (keyed by host tgid, read
    // through their pid under proc_root).
    void mark(const std::map<std::uint32_t, AgentTask>& tasks);
    // Reads each watched process's stat and its threads' schedstat. A process
    // whose /proc entry is gone is left out (the tracker then ends it, its status
    // unseen); a zombie is reported exited with its wait status.
    AgentStateReading read();
    // Drops exited processes (their end has been recorded).
    void forget(const std::vector<std::uint32_t>& tgids);
    // Why exit statuses are not seen after a reap ("" when they are).
    const std::string& exit_events_error() const { return exits_.error(); }

  private:
    struct ThreadSeen {
        std::uint64_t runtime_ns = 0, run_delay_ns = 0, timeslices = 0;
    };
    struct Watched {
        std::uint32_t pid = 0;  // under proc_root
        agent_proc proc{};
        agent_usage usage{};
        std::map<std::uint32_t, ThreadSeen> threads;  // by tid under proc_root
    };
    bool read_process(Watched& w);
    void add_thread(Watched& w, std::uint32_t tid, std::map<std::uint32_t, ThreadSeen>& seen);

    std::string proc_root_;
    ProcExitEvents exits_;
    std::map<std::uint32_t, Watched> watched_;  // by host tgid
    // Ended processes by host tgid and start: a stale discovery entry must not
    // bring one back as a new process (a reused pid starts later).
    std::set<std::pair<std::uint32_t, std::uint64_t>> ended_;
    std::uint64_t ns_per_tick_ = 10'000'000;
};

}  // namespace agentmon
