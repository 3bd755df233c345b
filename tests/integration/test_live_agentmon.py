#!/usr/bin/env python3
"""Live: `agentmon check` passes on this kernel, and `agentmon run` serves
/readyz, /healthz and a /metrics page that promtool accepts, then stops cleanly
on SIGTERM."""

import json
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

# Every attach type features.bpf.c proves; each must say OK here.
ATTACH_LINES = [
    "attach tp_btf/sock_send_length",
    "attach tp_btf/sock_recv_length",
    "attach raw_tp/sys_enter",
    "attach tp/syscalls/sys_enter_sendmsg + ringbuf",
    "attach tp_btf/sched_switch",
    "attach tp_btf/sched_process_exit",
    "attach iter.s/task + bpf_copy_from_user_task",
    "attach sockops (cgroup v2)",
]


def verdict_of(output, name):
    for line in output.splitlines():
        if line[9:].startswith(name):
            return line[:9].strip()
    return None


def main():
    harness.require_bpf()
    checks = harness.Checks()
    agentmon = harness.binary("agentmon")

    result = subprocess.run([agentmon, "check"], capture_output=True, text=True, timeout=120)
    checks.equal(result.returncode, 0, "agentmon check exits 0 on this kernel")
    checks.check("verdict: OK" in result.stdout, "agentmon check's overall verdict is OK",
                 result.stdout[-2000:])
    for name in ["kernel BTF", "mount bpffs", "mount tracefs", "map ringbuf",
                 "tracepoint sock_send_length", "helper bpf_copy_from_user_task"] + ATTACH_LINES:
        checks.equal(verdict_of(result.stdout, name), "OK", f"check: {name}")

    result = subprocess.run([agentmon, "check", "--json"], capture_output=True, text=True,
                            timeout=120)
    checks.equal(result.returncode, 0, "agentmon check --json exits 0")
    try:
        report = json.loads(result.stdout)
        checks.equal(report.get("verdict"), "OK", "check --json verdict is OK")
    except json.JSONDecodeError as error:
        checks.check(False, "check --json prints JSON", str(error))

    port = harness.free_port()
    base = f"http://127.0.0.1:{port}"
    with harness.background([agentmon, "run", "--listen", f"127.0.0.1:{port}",
                             "--tick", "200ms"]) as proc:
        ready = harness.wait_for(lambda: harness.http_get(base + "/readyz")[0] == 200, 10)
        checks.check(ready, "/readyz turns 200 after the first tick")
        status, _ = harness.http_get(base + "/healthz")
        checks.equal(status, 200, "/healthz is 200")
        status, body = harness.http_get(base + "/")
        checks.check(status == 200 and "/metrics" in body, "/ is an index linking /metrics")
        status, _ = harness.http_get(base + "/nope")
        checks.equal(status, 404, "an unknown path is 404")

        status, metrics = harness.http_get(base + "/metrics")
        checks.equal(status, 200, "/metrics is 200")
        for name in ["agentmon_build_info{", "agentmon_collections_total",
                     "agentmon_collection_duration_seconds_bucket",
                     "agentmon_scrape_duration_seconds", "agentmon_process_cpu_seconds_total",
                     "agentmon_process_resident_memory_bytes"]:
            checks.check(name in metrics, f"/metrics has {name}")
        promtool = shutil.which("promtool")
        if promtool:
            lint = subprocess.run([promtool, "check", "metrics"], input=metrics,
                                  capture_output=True, text=True, timeout=30)
            checks.equal(lint.returncode, 0, "promtool check metrics accepts /metrics")
            if lint.returncode:
                print(lint.stdout + lint.stderr)
        else:
            print("note: promtool not installed; exposition format not linted")

        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        checks.equal(code, 0, "SIGTERM stops agentmon with exit 0 within 5 s")
        stderr = proc.stderr.read()
        checks.check("agentmon stopped cleanly" in stderr, "the shutdown is logged",
                     stderr[-1000:])

    checks.finish()


if __name__ == "__main__":
    main()
