#pragma once
// Effective capabilities of this process, from /proc/self/status (CapEff).
#include <cstdint>
#include <istream>
#include <optional>
#include <string_view>

namespace agentmon {

// Bit numbers from <linux/capability.h>; spelled out so that a libc without
// CAP_BPF/CAP_PERFMON (pre-5.8 headers) still builds.
inline constexpr int kCapDacReadSearch = 2;
inline constexpr int kCapSysPtrace = 19;
inline constexpr int kCapSysAdmin = 21;
inline constexpr int kCapSysResource = 24;
inline constexpr int kCapPerfmon = 38;
inline constexpr int kCapBpf = 39;
inline constexpr int kCapCheckpointRestore = 40;

// Parses the `CapEff:` line of a /proc/<pid>/status stream (hex mask).
// Returns nullopt if the line is absent or malformed.
std::optional<std::uint64_t> parse_cap_eff(std::istream& status);

inline bool has_cap(std::uint64_t mask, int cap) {
    return cap >= 0 && cap < 64 && ((mask >> cap) & 1u) != 0;
}

std::string_view cap_name(int cap);

// Whether this process may load BPF programs at all (CAP_SYS_ADMIN, or CAP_BPF
// with CAP_PERFMON). A path whose kernel object was refused falls back to user
// space only when it may: without the privileges, a refusal says nothing about
// the kernel, and a fallback would hide that agentmon runs without them.
bool may_load_bpf();

}  // namespace agentmon
