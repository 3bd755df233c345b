#pragma once
// The probes behind `agentmon check`. Each appends verdict lines to the report;
// none of them throws or exits. Ordering matters only for the mounts, which the
// syscall tracepoint program needs (libbpf resolves tp/syscalls/* via tracefs).
#include <cstdint>
#include <optional>

#include "base/log.h"
#include "base/result.h"
#include "kernel/check_report.h"

namespace agentmon {

// kernel_probes.cpp: BTF, libbpf program/map/helper probes, tracepoints in BTF.
void probe_kernel(CheckReport& report);
// `privileged`: this process may use bpf() (CAP_BPF or CAP_SYS_ADMIN). Without it
// every probe fails, and the fix says to rerun as root rather than blame the kernel.
void probe_program_types(CheckReport& report, bool privileged);
void probe_map_types(CheckReport& report, bool privileged);
void probe_helpers(CheckReport& report, bool privileged);
void probe_tracepoints(CheckReport& report);
// Whether the running kernel's BTF has the type `name` of kind `kind` (BTF_KIND_*).
bool kernel_btf_has(const char* name, int kind);
// Whether tracepoint programs may call bpf_loop (5.17+), which the socket walker
// uses where it can.
bool kernel_has_bpf_loop();

// socket_hooks.cpp: after every other probe, says which hooks the socket path will
// use and why, and turns the sock_*_length lines into INFO where the syscall
// tracepoint twin takes over. `handler`: how loading the socket path's own object
// (not attached) went; nullopt when it was not tried (no privileges).
void judge_socket_hooks(CheckReport& report, const std::optional<Status>& handler);

// system_probes.cpp: capabilities, mounts (mounting what is missing when allowed),
// sysctls. Returns the effective capability mask if readable.
std::optional<std::uint64_t> probe_capabilities(CheckReport& report);
void probe_mounts(CheckReport& report, bool may_mount, Logger& log);
void probe_sysctls(CheckReport& report);

// feature_programs.cpp: loads, attaches and triggers each program of
// bpf/features.bpf.c on its own.
void probe_feature_programs(CheckReport& report, bool privileged, Logger& log);

// The fix to print for a failed kernel probe.
const char* kernel_probe_fix(bool privileged);

}  // namespace agentmon
