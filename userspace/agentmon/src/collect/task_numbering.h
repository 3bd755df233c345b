#pragma once
// How agentmon's view of tasks relates to the kernel's, decided once at start, and
// the `scope` setting resolved against it.
//
// The kernel's maps are keyed by host ids. agentmon's /proc numbers tasks in
// agentmon's pid namespace, which is the host's on a host, in a hostPID pod or a
// container sharing the host's pids, and a pod's own in a sidecar. So discovery:
//  - on the host's pids, scans /proc; the ids are the kernel's;
//  - in a namespace of its own with the host's /proc mounted (`host_proc`, or
//    /host/proc found), scans that mount: its ids are the kernel's, and the pid
//    translator gives agentmon's own ids (for pidfd_open) of the tasks it can see;
//  - in a namespace of its own without it, scans its /proc, and the pid translator
//    gives the host ids of the tasks there. Every /proc read keeps the scanned
//    root's ids; only the kernel gets the host ids.
#include <cstdint>
#include <string>

#include "base/log.h"
#include "base/result.h"
#include "config/scope_config.h"
#include "kernel/kernel_scope.h"
#include "model/process_discovery.h"

namespace agentmon {

struct TaskNumbering {
    enum class Mode {
        host,           // the scanned root shows host pids, and so does agentmon's
        host_proc,      // host pids scanned; agentmon's own ids from the translator
        own_namespace,  // agentmon's own pids scanned; host ids from the translator
    };
    Mode mode = Mode::host;
    std::string proc_root = "/proc";
    std::uint64_t own_pidns = 0;  // /proc/self/ns/pid's inode; 0 when unreadable
};

// `host_proc`: the config's setting ("" = look for /host/proc).
TaskNumbering choose_task_numbering(const std::string& host_proc, Logger& log);
std::string to_string(TaskNumbering::Mode mode);

struct ResolvedScope {
    ScopeSetting setting;
    KernelScope kernel;       // for the rename hooks
    std::string cgroup_path;  // "" = no cgroup bound
    bool own_pidns = false;   // bound to agentmon's pid namespace
};

// The error says why the scope cannot apply (no such cgroup, no pod to bound to).
Result<ResolvedScope> resolve_scope(const ScopeSetting& setting, const TaskNumbering& numbering);

// Whether discovery keeps `task` (its ids filled in already).
bool in_scope(const ResolvedScope& scope, const AgentTask& task);

}  // namespace agentmon
