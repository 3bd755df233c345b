#pragma once
// Whether a proc root shows host pids. The kernel's maps are keyed by host thread
// ids (task->pid), so discovery may only hand the kernel the pids it read from a
// proc mount of the initial pid namespace: a sidecar's own /proc numbers its tasks
// in the pod's namespace, and those numbers name other tasks on the host.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentmon {

// The inode number of the initial pid namespace: fixed by the kernel
// (PROC_PID_INIT_INO), the same on every host.
inline constexpr std::uint64_t kInitialPidNamespaceInode = 4026531836ULL;

// "pid:[4026531836]" -> 4026531836; nullopt for any other text.
std::optional<std::uint64_t> pid_namespace_inode(std::string_view ns_link_text);

// True when `<proc_root>/1/ns/pid` names the initial pid namespace, i.e. the
// directories of `proc_root` are host pids. Pid 1 of a proc mount lives in the
// mount's own namespace, so its link tells which namespace the mount numbers.
// An unreadable link (no CAP_SYS_PTRACE over pid 1) counts as host pids, the
// behaviour agentmon had before it looked.
bool proc_root_shows_host_pids(const std::string& proc_root);

}  // namespace agentmon
