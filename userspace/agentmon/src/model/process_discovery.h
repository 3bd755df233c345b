#pragma once
// Which tasks are agents, found by scanning a proc root (injectable, so tests use
// a fake tree) for processes and their threads and applying the agent rules.
// Run every tick: new and renamed tasks are found by the next scan. Only comm is
// read for every task; the other files only when a rule whose comm test passed
// needs them, and environ only when a rule tests the environment.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/agent_rules.h"

namespace agentmon {

// A task has up to three numbers. `tid`/`pid` are the scanned proc root's: every
// /proc read goes through them. `host_tid`/`host_pid` are the kernel's (the initial
// pid namespace's), the keys of every BPF map; 0 when unknown, and then the task is
// never handed to the kernel. `own_tid`/`own_pid` are agentmon's own pid namespace's
// (pidfd_open takes those); 0 when the task is not visible there. When agentmon's
// /proc shows host pids, the three are equal; discovery's caller fills the others.
struct AgentTask {
    std::uint32_t tid = 0;
    std::uint32_t pid = 0;  // thread group id
    std::string comm;
    std::uint32_t agent_type = 0;  // 1..28
    std::uint32_t agent_id = 0;    // the rule's agent_id, else the type's base id
    std::string container;         // container id from the cgroup path, if any
    std::string pod;               // Kubernetes pod uid from the cgroup path, if any
    std::string pod_namespace;     // Kubernetes namespace of that pod, if it shows one
    std::string cgroup;            // the process's cgroup path
    std::uint32_t host_tid = 0, host_pid = 0;
    std::uint32_t own_tid = 0, own_pid = 0;
};

// The cgroup path in a /proc/<pid>/cgroup file: the unified (v2) "0::" line, else
// the first hierarchy's path.
std::string cgroup_path_of(std::string_view proc_cgroup_text);

struct CgroupIds {
    std::string container;  // docker-<id>.scope, cri-containerd-<id>.scope, /docker/<id>, ...
    std::string pod;        // kubepods...pod<uid>; systemd's '_' turned back into '-'
};
// Best effort: empty fields when the path shows no container runtime or pod.
CgroupIds cgroup_ids(std::string_view cgroup_path);

// The Kubernetes namespace a pod's process runs in, from the service account
// volume every pod mounts unless told not to
// (<proc_dir>/root/var/run/secrets/kubernetes.io/serviceaccount/namespace); empty
// when it has none. The cgroup path has the pod's uid but not its namespace.
std::string pod_namespace_of(const std::string& proc_dir);

class ProcessDiscovery {
  public:
    explicit ProcessDiscovery(std::vector<AgentRule> rules, std::string proc_root = "/proc");

    // Every agent task alive now, by thread id. A thread whose own comm matches no
    // rule belongs to its process's agent if the process's main thread matched.
    // Tasks that vanish mid-scan are skipped: that is normal, not an error.
    std::map<std::uint32_t, AgentTask> scan() const;

    const std::string& proc_root() const { return proc_root_; }

  private:
    std::vector<AgentRule> rules_;
    std::string proc_root_;
};

}  // namespace agentmon
