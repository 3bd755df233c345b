#pragma once
// pin_dir is where agentmon pins (and on restart reuses or removes) its BPF maps,
// so it must never point outside bpffs: a "../" or a symlink out of /sys/fs/bpf
// would let the pin cleanup delete unrelated files.
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace agentmon {

inline constexpr std::string_view kBpffsRoot = "/sys/fs/bpf/";

// Checks the text alone (for --check-config, where bpffs may not be mounted yet):
// an absolute path below /sys/fs/bpf/ with no "." or ".." parts. A message
// without the field name when it is not.
std::optional<std::string> pin_dir_problem(std::string_view pin_dir);

// Checks the directory as it exists: it resolves (symlinks followed) to a path below
// /sys/fs/bpf/ and lies on a bpffs mount (statfs magic BPF_FS_MAGIC).
Status verify_pin_dir_on_bpffs(const std::string& pin_dir);

}  // namespace agentmon
