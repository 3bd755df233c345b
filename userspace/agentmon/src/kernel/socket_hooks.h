#pragma once
// Which kernel hooks the socket path counts with: the sock_send_length/
// sock_recv_length tracepoints (kernel 6.3+), or their twin on the per-syscall
// tracepoints for older kernels. Both run the same handler; the choice is made
// before load (the other set is left unloaded) and said in the log and in check.
#include <string>

#include "base/result.h"

namespace agentmon {

struct SocketHooks {
    bool syscalls = false;  // the syscall tracepoint twin
    bool bounded = false;   // the twin's handler built with bounded loops (no bpf_loop)
    std::string name;       // "sock_length", "syscalls" or "syscalls_bounded"
    std::string why;        // for the log and `agentmon check`
};

// `wanted`: "auto" (by feature probing), "sock_length", "syscalls" (the twin,
// bounded loops only where the kernel has no bpf_loop) or "syscalls_bounded" (the
// twin with bounded loops on any kernel: how the tests run that build on a new one).
Result<SocketHooks> choose_socket_hooks(const std::string& wanted);

}  // namespace agentmon
