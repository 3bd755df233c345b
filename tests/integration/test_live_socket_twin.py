"""Live-kernel test of the socket path's syscall tracepoint twin, the hooks of
kernels without sock_send_length/sock_recv_length (before 6.3), forced on this
kernel with `socket_hooks: "syscalls"`.

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

with tempfile.TemporaryDirectory(prefix="agentmon-twin-") as tmp:
    config = os.path.join(tmp, "agentmon.json")
    with open(config, "w") as f:
        json.dump({"socket_hooks": "syscalls"}, f)
    with harness.agentmon_running(config=config) as (url, proc):
        samples = harness.scrape(url)
        checks.equal(harness.metric_sum(samples, "agentmon_collector_up", collector="socket"), 1,
                     "socket collector up on the twin")
        # The twin's walker runs in the exit programs (write's carries the most).
        bpf_programs.check_verifier_margin(checks, ["twin_exit_write"], label="twin: ")
        socket_exactness.check_exact(checks, url, label="twin: ")
    log = proc.stderr.read()
    checks.check("socket path attached" in log and "syscalls" in log,
                 "the log says the socket path attached on the syscall tracepoints",
                 log[-1500:])
    checks.check("socket_hooks: \\\"syscalls\\\" in the config" in log
                 or 'socket_hooks: "syscalls" in the config' in log,
                 "the log says why (the config)", log[-1500:])

checks.finish()
