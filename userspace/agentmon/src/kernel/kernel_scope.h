#pragma once
// Which tasks the kernel's rename hooks may start watching (bpf/lib/task_scope.bpf.h):
// zero in both fields is the whole node.
#include <cstdint>

namespace agentmon {

struct KernelScope {
    std::uint32_t pidns_inode = 0;  // tasks visible in this pid namespace
    std::uint64_t cgroup_id = 0;    // tasks in this cgroup v2 directory or below

    bool whole_node() const { return pidns_inode == 0 && cgroup_id == 0; }
};

}  // namespace agentmon
