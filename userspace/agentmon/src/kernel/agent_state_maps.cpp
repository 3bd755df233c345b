#include "kernel/agent_state_maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/bpf_handles.h"
#include "kernel/bpf_map_read.h"
// After agent_state.h: the skeleton embeds its types.
#include "agent_state.skel.h"

namespace agentmon {

namespace {

// pidfd_open(2) flag for a thread's own pidfd (Linux 6.9); O_EXCL is its value.
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int pidfd_open(std::uint32_t pid, unsigned flags) {
    return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), flags));
}

}  // namespace

AgentStateMaps::AgentStateMaps(Skel skel, Logger& log) : skel_(std::move(skel)), log_(log) {
    ncpus_ = std::max(1, libbpf_num_possible_cpus());
}

// Pins stay: the next start adopts them (`agentmon detach` removes them).
AgentStateMaps::~AgentStateMaps() = default;

Result<std::unique_ptr<AgentStateMaps>> AgentStateMaps::create(const AgentStateOptions& options,
                                                               Logger& log) {
    BpfObjectPlan plan{"agent state path",
                       "needs root or CAP_BPF+CAP_PERFMON, task storage, task iterators and "
                       "the tp_btf tracepoints task_rename, sched_process_fork, "
                       "sched_process_exit; `agentmon check` shows whether tp_btf programs "
                       "load at all",
                       // Every map but .rodata, task storage included: the marks a kept
                       // program reads must be the ones this run writes. The watched set
                       // too: this object owns it and its pin (the socket object reuses it
                       // by fd, docs/architecture.md).
                       options.pin_dir, pin_all_but_internal_maps, /*pin_links=*/true};
    auto opened =
        Skel::open({agent_state__open, agent_state__load, agent_state__destroy}, std::move(plan));
    if (!opened) return opened.error();
    Skel skel = std::move(opened).value();
    set_rodata_string(skel->rodata->comm_prefix, options.comm_prefix);
    skel->rodata->scope_pidns_inum = options.scope.pidns_inode;
    skel->rodata->scope_cgroup_id = options.scope.cgroup_id;

    if (Status st = skel.load(log); !st) return st.error();
    std::unique_ptr<AgentStateMaps> maps(new AgentStateMaps(std::move(skel), log));
    // The task hooks and the agent_sample iterator, through pinned links. The
    // iterator's link only runs when read (once per tick here); pinned, it can also
    // be read from outside (`cat <pin_dir>/links/agent_state/agent_sample`), which
    // is how scripts/bench-agents.sh times one run of it.
    if (Status st = maps->skel_.attach_all(log); !st) return st.error();
    maps->iterator_ = maps->skel_.link(maps->skel_->progs.agent_sample);
    if (!maps->iterator_) return Error{"the agent state path's task iterator is not attached"};
    return maps;
}

void AgentStateMaps::track_process(std::uint32_t tgid, const std::string& comm) {
    agent_proc proc{};
    proc.flags = AGENT_PROC_FROM_USER;
    std::strncpy(proc.comm, comm.c_str(), sizeof(proc.comm) - 1);
    // EEXIST: the kernel tracks it already. Other failures (a full map) the kernel's
    // own counters cannot see; the process is simply not tracked and this repeats
    // next tick.
    bpf_map_update_elem(bpf_map__fd(skel_->maps.agent_procs), &tgid, &proc, BPF_NOEXIST);
    std::vector<agent_usage> zero(static_cast<std::size_t>(ncpus_));
    bpf_map_update_elem(bpf_map__fd(skel_->maps.agent_usage), &tgid, zero.data(), BPF_NOEXIST);
}

bool AgentStateMaps::mark_task(std::uint32_t tid, std::uint32_t tgid) {
    if (tid != tgid && !thread_pidfds_) return false;
    int pidfd = pidfd_open(tid, tid == tgid ? 0 : PIDFD_THREAD);
    if (pidfd < 0) {
        if (errno == EINVAL && tid != tgid) {
            thread_pidfds_ = false;
            log_.warn(
                "agent threads not marked by discovery: pidfd_open lacks PIDFD_THREAD "
                "(Linux 6.9); threads started after their agent's rename are still "
                "marked by the kernel");
        }
        return false;  // ESRCH: gone meanwhile
    }
    const agent_task zero{};
    int err = bpf_map_update_elem(bpf_map__fd(skel_->maps.agent_tasks), &pidfd, &zero, BPF_NOEXIST);
    const int saved = errno;
    ::close(pidfd);
    return err == 0 || saved == EEXIST;
}

void AgentStateMaps::mark(const std::map<std::uint32_t, AgentTask>& tasks) {
    std::set<std::uint32_t> now;
    // The kernel's maps take host ids; pidfd_open takes agentmon's own. A task
    // missing either is left to the kernel's rename and fork hooks.
    for (const auto& [tid, task] : tasks) {
        if (!task.host_tid) continue;
        now.insert(task.host_tid);
        if (marked_.count(task.host_tid)) continue;
        track_process(task.host_pid, task.comm);
        if (task.own_tid && mark_task(task.own_tid, task.own_pid)) marked_.insert(task.host_tid);
    }
    // Forget tids that left discovery, so a reused tid is marked again.
    std::erase_if(marked_, [&](std::uint32_t tid) { return !now.count(tid); });
}

Result<AgentStateReading> AgentStateMaps::read() {
    if (Status st = run_iterator(iterator_, "agent state"); !st) return st.error();
    AgentStateReading reading;
    reading.procs_capacity = bpf_map__max_entries(skel_->maps.agent_procs);
    std::map<std::uint32_t, agent_usage> usage;
    Status st = read_percpu_u64(skel_->maps.agent_usage, ncpus_,
                                [&](const void* key, const std::uint64_t* words) {
                                    std::uint32_t tgid = 0;
                                    std::memcpy(&tgid, key, sizeof(tgid));
                                    std::memcpy(&usage[tgid], words, sizeof(agent_usage));
                                });
    if (!st) return st.error();

    const int fd = bpf_map__fd(skel_->maps.agent_procs);
    std::uint32_t key = 0, next = 0;
    const void* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        AgentProcReading r;
        r.tgid = key;
        if (bpf_map_lookup_elem(fd, &key, &r.proc) != 0) continue;  // deleted meanwhile
        if (auto it = usage.find(key); it != usage.end()) r.usage = it->second;
        reading.procs.push_back(r);
    }

    st = read_percpu_counters(skel_->maps.agent_events, ncpus_, reading.events);
    if (!st) return st.error();
    return reading;
}

void AgentStateMaps::forget(const std::vector<std::uint32_t>& tgids) {
    for (std::uint32_t tgid : tgids) {
        bpf_map_delete_elem(bpf_map__fd(skel_->maps.agent_procs), &tgid);
        bpf_map_delete_elem(bpf_map__fd(skel_->maps.agent_usage), &tgid);
    }
}

std::vector<BpfProgramRef> AgentStateMaps::programs() const { return skel_.programs(); }

int AgentStateMaps::watched_fd() const { return bpf_map__fd(skel_->maps.watched); }

}  // namespace agentmon
