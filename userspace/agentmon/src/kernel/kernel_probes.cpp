#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "kernel/probes.h"

namespace agentmon {

namespace {

std::string probe_detail(int rc) {
    if (rc == 1) return "libbpf probe: supported";
    if (rc == 0) return "libbpf probe: not supported";
    return std::string("libbpf probe failed: ") + std::strerror(-rc);
}

struct BtfDeleter {
    void operator()(btf* b) const { btf__free(b); }
};

// libbpf 1.1's libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING) loads a program
// without an attach target, which the kernel always refuses, so it reports "not
// supported" everywhere. Probe like a tp_btf program does: `r0 = 0; exit` with
// expected_attach_type BPF_TRACE_RAW_TP and the BTF id of btf_trace_sched_switch.
int probe_tracing_prog_type() {
    std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
    if (!vmlinux) return -errno;
    int id = btf__find_by_name_kind(vmlinux.get(), "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
    if (id <= 0) return 0;
    const bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
    };
    LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
                .attach_btf_id = static_cast<__u32>(id));
    int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, nullptr, "GPL", insns, 2, &opts);
    if (fd < 0) return errno == EINVAL || errno == EOPNOTSUPP ? 0 : -errno;
    close(fd);
    return 1;
}

}  // namespace

const char* kernel_probe_fix(bool privileged) {
    return privileged ? "run a kernel built with CONFIG_BPF_SYSCALL and CONFIG_DEBUG_INFO_BTF"
                      : "not determinable without CAP_BPF: rerun `agentmon check` as root";
}

void probe_kernel(CheckReport& report) {
    utsname uts{};
    uname(&uts);
    report.add(
        {"kernel", "release", Verdict::info, std::string(uts.release) + " " + uts.machine, "", ""});
    report.add({"kernel", "libbpf", Verdict::info,
                "libbpf " + std::to_string(libbpf_major_version()) + "." +
                    std::to_string(libbpf_minor_version()),
                "", ""});

    std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
    bool present = vmlinux != nullptr;
    std::string detail = present ? "/sys/kernel/btf/vmlinux, " +
                                       std::to_string(btf__type_cnt(vmlinux.get())) + " types"
                                 : std::string("cannot load: ") + std::strerror(errno);
    report.add_probe("kernel", "BTF", present, detail, Verdict::missing,
                     "CO-RE programs cannot be relocated; nothing can load",
                     "run a kernel with CONFIG_DEBUG_INFO_BTF=y (/sys/kernel/btf/vmlinux)");
}

void probe_program_types(CheckReport& report, bool privileged) {
    struct Probe {
        bpf_prog_type type;
        const char* name;
        Verdict if_missing;
        const char* impact;
    };
    const Probe probes[] = {
        {BPF_PROG_TYPE_TRACING, "tracing", Verdict::missing,
         "no tp_btf hooks (socket and scheduler paths) and no task iterators (ring path)"},
        {BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint", Verdict::missing,
         "no raw_tp twins of the socket and syscall hooks"},
        {BPF_PROG_TYPE_TRACEPOINT, "tracepoint", Verdict::missing,
         "no syscall tracepoints (send/recv return values, errors)"},
        {BPF_PROG_TYPE_SOCK_OPS, "sock_ops", Verdict::degraded,
         "no TCP connection lifecycle events; active connections counted from syscalls only"},
        {BPF_PROG_TYPE_PERF_EVENT, "perf_event", Verdict::degraded,
         "no periodic CPU sampling of agents"},
    };
    for (const auto& p : probes) {
        const bool tracing = p.type == BPF_PROG_TYPE_TRACING;
        int rc = tracing ? probe_tracing_prog_type() : libbpf_probe_bpf_prog_type(p.type, nullptr);
        std::string detail = tracing && rc == 1 ? "tp_btf load probe: supported" : probe_detail(rc);
        report.add_probe("program type", p.name, rc == 1, detail, p.if_missing, p.impact,
                         kernel_probe_fix(privileged));
    }
}

void probe_map_types(CheckReport& report, bool privileged) {
    struct Probe {
        bpf_map_type type;
        const char* name;
        Verdict if_missing;
        const char* impact;
    };
    const Probe probes[] = {
        {BPF_MAP_TYPE_HASH, "hash", Verdict::missing, "no per-key aggregation"},
        {BPF_MAP_TYPE_PERCPU_ARRAY, "percpu_array", Verdict::missing,
         "no per-CPU scratch buffers for frame parsing"},
        {BPF_MAP_TYPE_PERCPU_HASH, "percpu_hash", Verdict::missing,
         "no contention-free per-flow counters"},
        {BPF_MAP_TYPE_LRU_HASH, "lru_hash", Verdict::missing,
         "no self-evicting connection reassembly state"},
        {BPF_MAP_TYPE_RINGBUF, "ringbuf", Verdict::missing,
         "no kernel-to-user event channel (agent lifecycle events)"},
        {BPF_MAP_TYPE_SK_STORAGE, "sk_storage", Verdict::degraded,
         "per-socket state falls back to an LRU hash keyed by socket pointer"},
        {BPF_MAP_TYPE_TASK_STORAGE, "task_storage", Verdict::degraded,
         "agent state path reads /proc once a tick instead (the same CPU, run-queue and "
         "memory counters, for the processes discovery finds; exit statuses from the "
         "process events connector)"},
    };
    for (const auto& p : probes) {
        int rc = libbpf_probe_bpf_map_type(p.type, nullptr);
        report.add_probe("map", p.name, rc == 1, probe_detail(rc), p.if_missing, p.impact,
                         kernel_probe_fix(privileged));
    }
}

void probe_helpers(CheckReport& report, bool privileged) {
    struct Probe {
        bpf_prog_type type;
        bpf_func_id helper;
        const char* name;
        const char* impact;
    };
    // bpf_copy_from_user_task is only offered to sleepable programs, which libbpf's
    // helper probe cannot load; the iter.s/task program below proves it instead.
    const Probe probes[] = {
        {BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_get_current_task_btf, "bpf_get_current_task_btf",
         "no BTF-typed access to the current task (agent identification)"},
        {BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_probe_read_user, "bpf_probe_read_user",
         "send/recv buffers cannot be read; no frame decoding"},
        {BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_ringbuf_reserve, "bpf_ringbuf_reserve",
         "no ring buffer events"},
        {BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_ktime_get_ns, "bpf_ktime_get_ns",
         "no kernel-side latency measurement"},
    };
    for (const auto& p : probes) {
        int rc = libbpf_probe_bpf_helper(p.type, p.helper, nullptr);
        report.add_probe("helper", p.name, rc == 1, probe_detail(rc), Verdict::missing, p.impact,
                         kernel_probe_fix(privileged));
    }
}

bool kernel_btf_has(const char* name, int kind) {
    std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
    return vmlinux && btf__find_by_name_kind(vmlinux.get(), name, kind) > 0;
}

bool kernel_has_bpf_loop() {
    return libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop, nullptr) == 1;
}

void probe_tracepoints(CheckReport& report) {
    struct Probe {
        const char* name;
        Verdict if_missing;
        const char* impact;
        const char* fix;
    };
    const char* sock_fix =
        "kernel >= 6.3 has sock_send_length/sock_recv_length; older kernels take the syscall "
        "tracepoint twin (see \"socket hooks\" below)";
    const Probe probes[] = {
        {"sock_send_length", Verdict::missing,
         "socket path cannot see sends (no transport metrics)", sock_fix},
        {"sock_recv_length", Verdict::missing,
         "socket path cannot see receives (no latency, no receive counts)", sock_fix},
        // The agent state path's only hooks (its CPU, run-queue and memory figures
        // come from a per-tick task iterator); without any of them it does not load.
        {"task_rename", Verdict::missing,
         "agent state path reads /proc instead (agents seen by discovery's scan only)",
         "any kernel >= 5.5 with BTF"},
        {"sched_process_fork", Verdict::missing,
         "agent state path reads /proc instead (agents seen by discovery's scan only)",
         "any kernel >= 5.5 with BTF"},
        {"sched_process_exit", Verdict::missing,
         "agent state path reads /proc instead (exit statuses from the process events "
         "connector)",
         "any kernel >= 5.5 with BTF"},
    };
    std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
    for (const auto& p : probes) {
        std::string type_name = std::string("btf_trace_") + p.name;
        bool present = vmlinux && btf__find_by_name_kind(vmlinux.get(), type_name.c_str(),
                                                         BTF_KIND_TYPEDEF) > 0;
        report.add_probe("tracepoint", p.name, present,
                         present ? type_name + " in kernel BTF" : type_name + " not in kernel BTF",
                         p.if_missing, p.impact, p.fix);
    }
}

}  // namespace agentmon
