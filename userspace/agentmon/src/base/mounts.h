#pragma once
// The pseudo file systems agentmon needs: bpffs for pinned maps, tracefs for the
// syscall tracepoints (libbpf resolves tp/syscalls/* through it), and cgroup v2
// for cgroup programs (sockops). agentmon mounts bpffs and tracefs itself when it
// runs as root and they are missing; otherwise it says what to mount.
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace agentmon {

inline constexpr const char* kBpffsPath = "/sys/fs/bpf";
inline constexpr const char* kTracefsPath = "/sys/kernel/tracing";
inline constexpr const char* kPinDir = "/sys/fs/bpf/agentmon";

struct MountEntry {
    std::string source;
    std::string target;
    std::string fs_type;
};

// Parses /proc/mounts (or /proc/self/mounts) lines: "source target type options 0 0".
// Octal escapes (\040 for a space) in paths are decoded.
std::vector<MountEntry> parse_mounts(std::istream& mounts);

// Mount point of the first file system of `fs_type`, e.g. "cgroup2".
std::optional<std::string> find_mount_by_type(const std::vector<MountEntry>& mounts,
                                              const std::string& fs_type);

bool is_mounted_at(const std::vector<MountEntry>& mounts, const std::string& target,
                   const std::string& fs_type);

std::vector<MountEntry> read_mounts();

enum class MountState { already_mounted, mounted_now };

// Ensures `fs_type` is mounted at `target`, mounting it when `may_mount` (root).
// The error says which command an operator can run instead.
Result<MountState> ensure_mounted(const std::string& target, const std::string& fs_type,
                                  const std::string& source, bool may_mount);

// Creates `dir` (one level) if missing.
Status ensure_directory(const std::string& dir);

}  // namespace agentmon
