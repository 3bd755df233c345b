#pragma once
// The `scope` setting: which agents one agentmon counts. `node` (the default) is
// every agent on the host. `pod` is agentmon's own pod: the tasks visible in its
// pid namespace when it has one of its own (a sidecar), else the tasks under its
// cgroup's parent (the pod's cgroup when agentmon is a container of the pod).
// `cgroup:<path>` is the tasks under that cgroup v2 path, as /proc/<pid>/cgroup
// shows it (e.g. "cgroup:/kubepods.slice/kubepods-pod<uid>.slice").
#include <optional>
#include <string>
#include <string_view>

namespace agentmon {

struct ScopeSetting {
    enum class Kind { node, pod, cgroup };
    Kind kind = Kind::node;
    std::string cgroup_path;  // kind cgroup only: absolute, no trailing '/'
};

std::optional<ScopeSetting> parse_scope(std::string_view text);
std::string to_string(const ScopeSetting& scope);

}  // namespace agentmon
