#include "kernel/socket_hooks.h"

#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "kernel/probes.h"

namespace agentmon {

namespace {

bool has_sock_length_tracepoints() {
    return kernel_btf_has("btf_trace_sock_send_length", BTF_KIND_TYPEDEF) &&
           kernel_btf_has("btf_trace_sock_recv_length", BTF_KIND_TYPEDEF);
}

CheckLine* attach_line(CheckReport& report, const char* name) {
    return report.find("attach", name);
}

bool line_ok(const CheckLine* line) { return line && line->verdict == Verdict::ok; }

// The sock_*_length lines say what is absent; with the twin taking over, absent
// costs nothing the verdict should count.
void demote_to_info(CheckLine* line) {
    if (!line || line->verdict == Verdict::ok) return;
    line->verdict = Verdict::info;
    line->detail += "; the syscall tracepoint twin takes over";
    line->impact.clear();
    line->fix.clear();
}

}  // namespace

Result<SocketHooks> choose_socket_hooks(const std::string& wanted) {
    if (wanted == "sock_length")
        return SocketHooks{false, false, "sock_length",
                           "socket_hooks: \"sock_length\" in the config"};
    if (wanted == "syscalls")
        return SocketHooks{true, !kernel_has_bpf_loop(), "syscalls",
                           "socket_hooks: \"syscalls\" in the config"};
    if (wanted == "syscalls_bounded")
        return SocketHooks{true, true, "syscalls_bounded",
                           "socket_hooks: \"syscalls_bounded\" in the config"};
    if (wanted != "auto")
        return Error{
            "socket_hooks: expected \"auto\", \"sock_length\", \"syscalls\" or "
            "\"syscalls_bounded\", got \"" +
            wanted + "\""};
    if (has_sock_length_tracepoints())
        return SocketHooks{false, false, "sock_length",
                           "the kernel has the sock_send_length/sock_recv_length tracepoints"};
    return SocketHooks{true, !kernel_has_bpf_loop(), "syscalls",
                       "the kernel has no sock_send_length/sock_recv_length tracepoints (6.3+)"};
}

namespace {

// What the load of the socket path's own object said, for the hooks line.
std::string handler_said(const std::optional<Status>& handler) {
    if (!handler) return "; its handler not loaded (no privileges)";
    if (*handler) return "; its handler loaded here (the default config, not attached)";
    const std::string& why = handler->error().message;
    const auto colon = why.rfind(": ");
    return "; its handler refused by this kernel (" +
           (colon == std::string::npos ? why : why.substr(colon + 2)) +
           "; `agentmon check --verbose` shows the verifier log)";
}

bool refused(const std::optional<Status>& handler) { return handler && !*handler; }

}  // namespace

void judge_socket_hooks(CheckReport& report, const std::optional<Status>& handler) {
    const char* send = "tp_btf/sock_send_length";
    const char* recv = "tp_btf/sock_recv_length";
    const char* disabled = "socket path disabled: no unix, dgram or tcp transport metrics";
    const char* verbose_fix = "`agentmon check --verbose` prints the verifier's reason";
    if (line_ok(attach_line(report, send)) && line_ok(attach_line(report, recv))) {
        report.add(
            {"socket", "hooks", refused(handler) ? Verdict::missing : Verdict::ok,
             "tp_btf/sock_send_length + sock_recv_length (kernel 6.3+)" + handler_said(handler),
             refused(handler) ? disabled : "", refused(handler) ? verbose_fix : ""});
        return;
    }
    // The twin: the syscall tracepoints (proved by the sys_enter_sendmsg program).
    // Without bpf_loop (5.17+) its handler is the one built with bounded loops.
    const bool syscall_tp = line_ok(attach_line(report, "tp/syscalls/sys_enter_sendmsg + ringbuf"));
    const bool loop = kernel_has_bpf_loop();
    if (!syscall_tp) {
        report.add({"socket", "hooks", Verdict::missing,
                    "neither sock_send_length/sock_recv_length nor the syscall tracepoint "
                    "twin: no syscall tracepoints",
                    disabled,
                    "kernel >= 6.3 (sock_*_length), or syscall tracepoints for the twin"});
        return;
    }
    for (const char* name : {"sock_send_length", "sock_recv_length"})
        demote_to_info(report.find("tracepoint", name));
    demote_to_info(attach_line(report, send));
    demote_to_info(attach_line(report, recv));
    const std::string twin =
        "syscall tracepoint twin: syscalls:sys_enter_*/sys_exit_* of write, writev, sendto, "
        "sendmsg, sendmmsg, read, readv, recvfrom, recvmsg, recvmmsg (no "
        "sock_send_length/sock_recv_length: kernel before 6.3)" +
        std::string(loop ? ""
                         : "; no bpf_loop (5.17+): bounded loops, at most 16 iovecs per "
                           "call and 1024 frames per iovec") +
        handler_said(handler);
    if (refused(handler)) {
        report.add(
            {"socket", "hooks", Verdict::missing, twin, disabled,
             std::string(verbose_fix) + "; kernel >= 6.3 has sock_send_length/sock_recv_length"});
        return;
    }
    if (!loop) {
        report.add({"socket", "hooks", Verdict::degraded, twin,
                    "counts as the sock_*_length hooks do up to those limits (beyond, "
                    "WALK_TRUNCATED); more CPU: every process's entry and exit of these calls "
                    "runs a program, and an agent's call pays about eight more probe reads",
                    "kernel >= 5.17 has bpf_loop; >= 6.3 sock_send_length/sock_recv_length"});
        return;
    }
    report.add({"socket", "hooks", Verdict::degraded, twin,
                "counts as the sock_*_length hooks do; more CPU: every process's entry and "
                "exit of these calls runs a program, and an agent's call pays about eight more "
                "probe reads",
                "kernel >= 6.3 has sock_send_length/sock_recv_length"});
}

}  // namespace agentmon
