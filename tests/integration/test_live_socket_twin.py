"""Live-kernel test of the socket path's syscall tracepoint twin, the hooks of
kernels without sock_send_length/sock_recv_length (before 6.3), forced on this
kernel with `socket_hooks: "syscalls"`, and its handler built with bounded loops
(kernels without bpf_loop, before 5.17), forced with "syscalls_bounded".

Triggers: agentmon runs with the twin; agentbus on unix, dgram and tcp with
--batch 1, --batch 64 and --split. Expects: the log names the hooks and why; the
socket collector is up; zero difference from the bus's truth in frames and bytes
in both directions, as on the main hooks (test_live_socket).
"""

import json
import os
import tempfile

import bpf_programs
import harness
import socket_exactness

harness.require_bpf()
checks = harness.Checks()

# Each twin handler: bpf_loop's, and the bounded loops' that kernels before 5.17
# take (the kernel matrix runs that one on 5.15). Program names as the kernel
# keeps them, 15 characters.
HANDLERS = [("syscalls", "twin_exit_write", "twin: "),
            ("syscalls_bounded", "twin_noloop_exi", "twin, bounded loops: ")]

with tempfile.TemporaryDirectory(prefix="agentmon-twin-") as tmp:
    for hooks, handler, label in HANDLERS:
        config = os.path.join(tmp, f"{hooks}.json")
        with open(config, "w") as f:
            json.dump({"socket_hooks": hooks}, f)
        with harness.agentmon_running(config=config) as (url, proc):
            samples = harness.scrape(url)
            checks.equal(
                harness.metric_sum(samples, "agentmon_collector_up", collector="socket"), 1,
                f"{label}socket collector up")
            # The twin's walker runs in one exit program; the other nine tail-call it.
            bpf_programs.check_verifier_margin(checks, [handler], label=label)
            socket_exactness.check_exact(checks, url, label=label)
        log = proc.stderr.read()
        checks.check("socket path attached" in log and "syscalls" in log,
                     f"{label}the log says the socket path attached on the syscall tracepoints",
                     log[-1500:])
        checks.check(f'socket_hooks: \\"{hooks}\\" in the config' in log
                     or f'socket_hooks: "{hooks}" in the config' in log,
                     f"{label}the log says why (the config)", log[-1500:])
    checks.check("walks with bounded loops" in log,
                 "twin, bounded loops: the log says so, with its limits", log[-1500:])

checks.finish()
