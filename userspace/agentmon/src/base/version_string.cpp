#include "base/version_string.h"

namespace agentmon {

std::string version_string(std::string_view version, std::string_view git_describe) {
    std::string out = "agentmon " + std::string(version);
    if (!git_describe.empty() && git_describe != version &&
        git_describe != "v" + std::string(version))
        out += " (git " + std::string(git_describe) + ")";
    return out;
}

std::string commit_from_describe(std::string_view describe) {
    if (describe.empty()) return "unknown";
    std::string_view rest = describe;
    constexpr std::string_view kDirty = "-dirty";
    if (rest.size() > kDirty.size() && rest.substr(rest.size() - kDirty.size()) == kDirty)
        rest.remove_suffix(kDirty.size());
    if (size_t g = rest.rfind("-g"); g != std::string_view::npos)
        return std::string(rest.substr(g + 2));
    return std::string(rest);
}

}  // namespace agentmon
