#pragma once
// Agent instances from one tick's view of agent processes: which process is which
// agent instance, its state (running, idle, exited, failed), how its last process
// ended, restarts, CPU time and run-queue delay summed over its processes. Pure:
// the collector feeds it the kernel's per-process readings and discovery's
// identities, and tests feed it hand-built ticks.
//
// Instances: a process gets the agent id its rule gives (the type's base id
// unless the rule sets one). When a live process already holds that id, the next
// free instance of the type does: id + 28, id + 56, ... (docs/transport.md), skipping
// ids the registry gives another type. A process taking an id whose previous
// process ended is a restart of that instance.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "abi/agent_state.h"
#include "model/agent_registry.h"

namespace agentmon {

enum class AgentStatus : int { running = 1, idle = 2, exited = 3, failed = 4 };

struct RunqHistogram {
    std::array<std::uint64_t, RUNQ_SLOTS> buckets{};  // kernel slots (agent_state.h)
    std::uint64_t sum_ns = 0;
    std::uint64_t count() const;
    RunqHistogram& operator+=(const RunqHistogram& other);
};

// One process the kernel tracks, as of this tick.
struct ProcSample {
    std::uint32_t tgid = 0;
    std::uint64_t start_ns = 0;  // 0 = unknown; orders processes that appear together
    bool exited = false;
    std::int32_t exit_code = 0;  // wait status: signal in bits 0-6, exit status in 8-15
    std::uint64_t cpu_ns = 0;
    RunqHistogram runq;
};

// Which agent a process is (from discovery's rules), and where it runs.
struct ProcIdentity {
    std::uint32_t agent_type = 0;  // 1..28
    std::uint32_t agent_id = 0;    // the rule's id or the type's base id
    std::string container, pod, pod_namespace;
};

struct AgentTick {
    double seconds = 0;  // monotonic time of the reading
    std::vector<ProcSample> procs;
    std::map<std::uint32_t, ProcIdentity> identities;       // by tgid
    std::map<std::uint32_t, std::uint64_t> resident_bytes;  // by tgid, live processes
};

struct AgentInstance {
    std::uint32_t id = 0;
    std::uint32_t type = 0;
    std::uint32_t tgid = 0;  // the live process; 0 when none
    AgentStatus status = AgentStatus::running;
    // Of the last process that ended; unset until one has. A death by signal has
    // exit code 128 + signal (the shell's convention) and its signal; a normal
    // exit its status and signal 0.
    std::optional<int> last_exit_code, last_exit_signal;
    std::uint64_t restarts = 0;
    double cpu_seconds = 0;                    // over all its processes
    double cpu_fraction = 0;                   // of one core over the last tick
    std::optional<double> runq_delay_seconds;  // mean wait over the last tick, if any
    std::uint64_t resident_bytes = 0;
    RunqHistogram runq;  // over all its processes
    std::string container, pod, pod_namespace;

    bool alive() const { return tgid != 0; }
};

// (exit_code & 0x7f) is the killing signal, ((exit_code >> 8) & 0xff) the status.
struct ExitOutcome {
    AgentStatus status;  // exited for status 0, failed for a signal or a non-zero status
    int code;
    int signal;
};
ExitOutcome decode_exit(std::int32_t wait_status);

class AgentTracker {
  public:
    explicit AgentTracker(AgentRegistry registry) : registry_(std::move(registry)) {}

    // Applies one tick. Returns the processes whose end is now fully recorded (one
    // tick after their exit was seen, so their last CPU slice is in), and the
    // processes no rule identifies that have ended: their kernel entries can go.
    std::vector<std::uint32_t> update(const AgentTick& tick);

    const std::map<std::uint32_t, AgentInstance>& instances() const { return instances_; }
    const AgentRegistry& registry() const { return registry_; }

  private:
    struct Proc {
        std::uint32_t agent_id = 0;
        std::uint64_t cpu_ns = 0;
        RunqHistogram runq;
        bool exit_recorded = false;
        bool fresh = true;  // first tick: counts as running
    };
    struct Totals {
        std::uint64_t cpu_ns = 0;
        RunqHistogram runq;
    };

    std::uint32_t free_instance(const ProcIdentity& who) const;
    void adopt(const ProcSample& s, const ProcIdentity& who);
    void record_exit(Proc& p, const ProcSample& s);
    void refresh(double seconds, const AgentTick& tick);

    AgentRegistry registry_;
    std::map<std::uint32_t, Proc> procs_;  // tgid -> owned process
    std::map<std::uint32_t, AgentInstance> instances_;
    std::map<std::uint32_t, Totals> ended_;     // per instance: its ended processes
    std::map<std::uint32_t, Totals> previous_;  // per instance: totals at the last tick
    std::optional<double> last_seconds_;
};

}  // namespace agentmon
