#include "collect/task_numbering.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/mounts.h"
#include "base/procfs.h"
#include "model/pid_namespace.h"

namespace agentmon {

namespace {

std::uint64_t own_pid_namespace() {
    char buf[64] = {};
    const ssize_t n = ::readlink("/proc/self/ns/pid", buf, sizeof(buf) - 1);
    if (n <= 0) return 0;
    return pid_namespace_inode(std::string_view(buf, static_cast<std::size_t>(n))).value_or(0);
}

bool is_proc_root(const std::string& dir) {
    struct stat st {};
    return ::stat((dir + "/1").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string to_string(TaskNumbering::Mode mode) {
    switch (mode) {
        case TaskNumbering::Mode::host:
            return "host";
        case TaskNumbering::Mode::host_proc:
            return "host_proc";
        case TaskNumbering::Mode::own_namespace:
            break;
    }
    return "own_namespace";
}

TaskNumbering choose_task_numbering(const std::string& host_proc, Logger& log) {
    TaskNumbering n;
    n.own_pidns = own_pid_namespace();
    const bool own_is_host = n.own_pidns == 0 || n.own_pidns == kInitialPidNamespaceInode;
    std::string root = host_proc;
    if (root.empty()) {
        if (proc_root_shows_host_pids("/proc"))
            root = "/proc";
        else if (is_proc_root("/host/proc") && proc_root_shows_host_pids("/host/proc"))
            root = "/host/proc";
    } else if (!proc_root_shows_host_pids(root)) {
        log.warn("host_proc does not show the host's pids; its ids are translated like /proc's",
                 {{"host_proc", root}});
        root.clear();
    }
    if (root.empty()) {
        n.mode = TaskNumbering::Mode::own_namespace;
        n.proc_root = "/proc";
    } else {
        n.mode = own_is_host ? TaskNumbering::Mode::host : TaskNumbering::Mode::host_proc;
        n.proc_root = root;
    }
    return n;
}

Result<ResolvedScope> resolve_scope(const ScopeSetting& setting, const TaskNumbering& numbering) {
    ResolvedScope scope;
    scope.setting = setting;
    std::string path;
    switch (setting.kind) {
        case ScopeSetting::Kind::node:
            return scope;
        case ScopeSetting::Kind::pod: {
            if (numbering.own_pidns && numbering.own_pidns != kInitialPidNamespaceInode) {
                scope.own_pidns = true;
                scope.kernel.pidns_inode = static_cast<std::uint32_t>(numbering.own_pidns);
                return scope;
            }
            // In the host's pid namespace the pod is agentmon's cgroup's parent: a
            // container's cgroup sits in its pod's.
            std::string text;
            read_small_file("/proc/self/cgroup", text, 1 << 14);
            path = cgroup_path_of(text);
            path = path.substr(0, path.rfind('/'));
            if (path.empty())
                return Error{
                    "scope pod: agentmon shares the host's pid namespace and its "
                    "cgroup's parent is the root; there is no pod to bound to (use "
                    "scope node or cgroup:<path>)"};
            break;
        }
        case ScopeSetting::Kind::cgroup:
            path = setting.cgroup_path;
            break;
    }
    // /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one.
    const auto root = find_mount_by_type(read_mounts(), "cgroup2");
    if (!root) return Error{"scope " + to_string(setting) + ": no cgroup v2 mount"};
    const std::string dir = *root + (path == "/" ? "" : path);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return Error{"scope " + to_string(setting) + ": no cgroup " + dir};
    scope.cgroup_path = path;
    scope.kernel.cgroup_id = st.st_ino;  // a cgroup v2 directory's inode is its id
    return scope;
}

bool in_scope(const ResolvedScope& scope, const AgentTask& task) {
    if (scope.own_pidns && task.own_tid == 0) return false;
    if (scope.cgroup_path.empty()) return true;
    const std::string& c = task.cgroup;
    return c.size() >= scope.cgroup_path.size() &&
           c.compare(0, scope.cgroup_path.size(), scope.cgroup_path) == 0 &&
           (c.size() == scope.cgroup_path.size() || c[scope.cgroup_path.size()] == '/' ||
            scope.cgroup_path == "/");
}

}  // namespace agentmon
