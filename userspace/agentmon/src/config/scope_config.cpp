#include "config/scope_config.h"

namespace agentmon {

std::optional<ScopeSetting> parse_scope(std::string_view text) {
    if (text == "node") return ScopeSetting{};
    if (text == "pod") return ScopeSetting{ScopeSetting::Kind::pod, {}};
    constexpr std::string_view kCgroup = "cgroup:";
    if (text.substr(0, kCgroup.size()) != kCgroup) return std::nullopt;
    std::string path(text.substr(kCgroup.size()));
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path.front() != '/') return std::nullopt;
    for (std::string_view part : {"/../", "/./"})
        if ((path + "/").find(part) != std::string::npos) return std::nullopt;
    return ScopeSetting{ScopeSetting::Kind::cgroup, path};
}

std::string to_string(const ScopeSetting& scope) {
    switch (scope.kind) {
        case ScopeSetting::Kind::node:
            return "node";
        case ScopeSetting::Kind::pod:
            return "pod";
        case ScopeSetting::Kind::cgroup:
            break;
    }
    return "cgroup:" + scope.cgroup_path;
}

}  // namespace agentmon
