#pragma once
// Owns the agent state path's BPF object (bpf/agent_state.bpf.c): loads and
// attaches it, marks the agent tasks discovery found (the kernel marks the ones
// that take an agent's name itself), runs its task iterator and reads the
// per-process maps each tick, and forgets processes whose end user space has
// recorded. The object also owns the collector's task rename/fork/exit hooks and
// the socket path's watched set, which the socket object reuses (watched_fd()).
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "abi/agent_state.h"
#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_program_ref.h"
#include "kernel/bpf_skeleton.h"
#include "kernel/kernel_scope.h"
#include "model/process_discovery.h"

struct agent_state;

namespace agentmon {

static_assert(sizeof(agent_proc) == 56, "agent_proc layout is shared with the kernel");
static_assert(sizeof(agent_usage) == sizeof(std::uint64_t) * (2 + RUNQ_SLOTS),
              "agent_usage is u64 words");
static_assert(sizeof(agent_task) == 24, "agent_task layout is shared with the kernel");

// One tracked process as the kernel sees it this tick, its counters summed over CPUs.
struct AgentProcReading {
    std::uint32_t tgid = 0;
    agent_proc proc{};
    agent_usage usage{};
};

struct AgentStateReading {
    std::vector<AgentProcReading> procs;  // by tgid
    std::array<std::uint64_t, AGENT_EV_COUNT> events{};
    std::uint64_t procs_capacity = AGENT_PROCS_MAX;
};

struct AgentStateOptions {
    // Tasks taking a comm with this prefix are marked by the kernel at once; ""
    // leaves all marking to discovery.
    std::string comm_prefix = "AG_";
    // "" = do not pin; else maps at <pin_dir>/<map> (watched included), links at
    // <pin_dir>/links/agent_state/<program> (the iterator as agent_sample).
    std::string pin_dir;
    KernelScope scope;  // which tasks the rename hook may mark and watch
};

class AgentStateMaps {
  public:
    static Result<std::unique_ptr<AgentStateMaps>> create(const AgentStateOptions& options,
                                                          Logger& log);
    ~AgentStateMaps();
    AgentStateMaps(const AgentStateMaps&) = delete;
    AgentStateMaps& operator=(const AgentStateMaps&) = delete;

    // Marks every task of `tasks` the kernel does not track yet: the process's
    // entries first, so no CPU time the thread's mark lets through is lost.
    void mark(const std::map<std::uint32_t, AgentTask>& tasks);

    // Runs the task iterator (the kernel adds each agent thread's CPU time and
    // run-queue waits since the last run, and refreshes RSS and thread counts),
    // then reads the maps.
    Result<AgentStateReading> read();

    // Drops exited processes' entries (their end has been recorded).
    void forget(const std::vector<std::uint32_t>& tgids);

    std::vector<BpfProgramRef> programs() const;

    // The socket path's watched set, kept by this object's task hooks: the
    // socket object reuses it instead of running hooks of its own.
    int watched_fd() const;

  private:
    using Skel = BpfSkeleton<agent_state>;

    AgentStateMaps(Skel skel, Logger& log);
    void track_process(std::uint32_t tgid, const std::string& comm);
    bool mark_task(std::uint32_t tid, std::uint32_t tgid);

    Skel skel_;
    Logger& log_;
    bpf_link* iterator_ = nullptr;    // agent_sample, owned by skel_
    std::set<std::uint32_t> marked_;  // host tids marked by this side (or found marked)
    int ncpus_ = 1;
    bool thread_pidfds_ = true;  // PIDFD_THREAD (6.9+); without it only leaders are marked
};

}  // namespace agentmon
