#pragma once
#include <string>
#include <string_view>

namespace agentmon {

// "agentmon 0.1.0 (git 9d0b6aa-dirty)"; the git part is left out when unknown or
// equal to the version tag.
std::string version_string(std::string_view version, std::string_view git_describe);

// The commit part of a `git describe --always --dirty --tags` string: "9d0b6aa" from
// "v0.1.0-3-g9d0b6aa-dirty" or "9d0b6aa-dirty"; "unknown" when empty.
std::string commit_from_describe(std::string_view git_describe);

}  // namespace agentmon
