#include <unistd.h>

#include <fstream>
#include <string>

#include "base/caps.h"
#include "base/mounts.h"
#include "base/procfs.h"
#include "kernel/probes.h"

namespace agentmon {

std::optional<std::uint64_t> probe_capabilities(CheckReport& report) {
    std::ifstream status("/proc/self/status");
    auto caps = parse_cap_eff(status);
    if (!caps) {
        report.add({"capability", "CapEff", Verdict::missing, "cannot read /proc/self/status",
                    "capabilities unknown", "run on Linux with /proc mounted"});
        return std::nullopt;
    }
    const bool admin = has_cap(*caps, kCapSysAdmin);
    auto covered = [&](int cap, const char* impact) {
        bool own = has_cap(*caps, cap);
        std::string detail = own     ? "effective"
                             : admin ? "absent, covered by CAP_SYS_ADMIN"
                                     : "absent";
        report.add_probe("capability", std::string(cap_name(cap)), own || admin, detail,
                         Verdict::missing, impact,
                         "run as root or grant CAP_BPF and CAP_PERFMON (e.g. "
                         "`securityContext.capabilities.add` in Kubernetes)");
    };
    covered(kCapBpf, "cannot create maps or load programs");
    covered(kCapPerfmon, "cannot load tracing programs or read kernel memory");
    auto optional = [&](int cap, const char* impact, const char* fix) {
        bool own = has_cap(*caps, cap);
        report.add_probe("capability", std::string(cap_name(cap)), own,
                         own ? "effective" : "absent", Verdict::degraded, impact, fix);
    };
    optional(kCapSysAdmin, "cannot mount bpffs/tracefs or attach cgroup programs (sockops)",
             "grant CAP_SYS_ADMIN, or mount /sys/fs/bpf and /sys/kernel/tracing beforehand");
    optional(kCapSysPtrace, "process discovery cannot read other users' /proc/<pid>/environ",
             "grant CAP_SYS_PTRACE");
    optional(kCapDacReadSearch,
             "the final read of a closing ring owned by another user fails (its last frames "
             "are missed)",
             "grant CAP_DAC_READ_SEARCH");
    optional(kCapCheckpointRestore,
             "a ring whose file was deleted cannot be reopened through /proc/<pid>/map_files",
             "grant CAP_CHECKPOINT_RESTORE");
    // Since 5.11 BPF memory is charged to the memory cgroup and RLIMIT_MEMLOCK no longer
    // applies (libbpf detects this and skips setrlimit), so this is information only.
    report.add({"capability", std::string(cap_name(kCapSysResource)), Verdict::info,
                has_cap(*caps, kCapSysResource)
                    ? "effective"
                    : "absent (only needed to raise RLIMIT_MEMLOCK on kernels before 5.11)",
                "", ""});
    return caps;
}

namespace {

void probe_one_mount(CheckReport& report, const char* name, const std::string& target,
                     const std::string& fs_type, const std::string& source, bool may_mount,
                     const char* impact, Logger& log) {
    auto state = ensure_mounted(target, fs_type, source, may_mount);
    if (!state) {
        report.add({"mount", name, Verdict::missing, state.error().message, impact,
                    "run `mount -t " + fs_type + " " + source + " " + target + "` as root"});
        return;
    }
    if (state.value() == MountState::mounted_now)
        log.info("mounted", {{"fs", fs_type}, {"target", target}});
    report.add({"mount", name, Verdict::ok,
                state.value() == MountState::mounted_now ? "mounted now at " + target
                                                         : "mounted at " + target,
                "", ""});
}

}  // namespace

void probe_mounts(CheckReport& report, bool may_mount, Logger& log) {
    probe_one_mount(report, "bpffs", kBpffsPath, "bpf", "bpf", may_mount,
                    "maps cannot be pinned (no `bpftool map dump` of agentmon maps)", log);
    probe_one_mount(report, "tracefs", kTracefsPath, "tracefs", "nodev", may_mount,
                    "syscall tracepoints (tp/syscalls/*) cannot attach", log);
    auto cgroup2 = find_mount_by_type(read_mounts(), "cgroup2");
    report.add_probe("mount", "cgroup2", cgroup2.has_value(),
                     cgroup2 ? "mounted at " + *cgroup2 : "no cgroup2 mount", Verdict::degraded,
                     "sockops cannot attach (no TCP connection events)",
                     "mount cgroup2 (`mount -t cgroup2 none /sys/fs/cgroup/unified`)");
}

void probe_sysctls(CheckReport& report) {
    struct Sysctl {
        const char* name;
        const char* path;
        const char* meaning;
    };
    const Sysctl sysctls[] = {
        {"kernel.unprivileged_bpf_disabled", "/proc/sys/kernel/unprivileged_bpf_disabled",
         "0 allows unprivileged BPF; 1 or 2 need CAP_BPF (agentmon has it when run as root)"},
        {"kernel.perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid",
         "above 1 needs CAP_PERFMON for tracing"},
    };
    for (const auto& s : sysctls) {
        auto value = read_first_line(s.path);
        report.add({"sysctl", s.name, Verdict::info,
                    (value ? "= " + *value : std::string("unreadable")) + " (" + s.meaning + ")",
                    "", ""});
    }
}

}  // namespace agentmon
