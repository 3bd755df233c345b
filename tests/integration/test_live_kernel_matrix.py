"""Live tests on older kernels: Debian's cloud kernels and Ubuntu 22.04's boot
under qemu (TCG) with agentmon and agentbus in an initramfs (kernel_vm.py,
guest_init.sh), and agentmon
must count every carrier whose path attaches on that kernel exactly, and say
clearly, in `agentmon check` and in its log, which paths cannot attach.

Triggers: `agentmon check`; agentbus on unix, dgram, tcp and ring (4 agents,
short runs) while `agentmon run` serves /metrics in the guest. Expects: per
kernel, what EXPECTATIONS says. The host kernel is covered by the other live
tests. Kernels to run: $AGENTMON_KERNELS (default "6.1 5.15 5.10").
"""

import json
import os
import tempfile

import harness
import kernel_vm

# What each path does on each kernel. "exact": attaches and its carriers' counts
# equal the bus's truth (the agent state path has no carrier: it must have seen
# the bus's agents run and exit); "refused": does not attach, and check and the
# log say why.
# The socket path counts on 6.1 through its syscall tracepoint twin (no
# sock_*_length before 6.3), and on 5.15 through the twin's handler built with
# bounded loops (no bpf_loop before 5.17); 5.10's verifier refuses that handler
# (no pointer arguments to global functions before 5.12).
EXPECTATIONS = {
    "6.1": {"socket": "exact", "ring": "exact", "agents": "exact"},
    # 5.10 ring: no sleepable task iterator (5.18+); the rings are read through
    # their files from user space, as exact (docs/ring-path.md "Without the iterator").
    # 5.10 agents: no task storage map (5.11+); /proc once a tick, exits from the
    # process events connector.
    "5.10": {"socket": "refused", "ring": "exact", "agents": "exact"},
    # Ubuntu 22.04's 5.15: no bpf_loop (the twin walks with bounded loops), no
    # bpf_copy_from_user_task (ring files read from user space); task storage
    # maps, so the agent state path runs in the kernel.
    "5.15": {"socket": "exact", "ring": "exact", "agents": "exact"},
}
# Where a path counts through a fallback: what check and the log must say of it.
FALLBACK_SIGNS = {
    "5.10": {"ring": ("DEGRADED attach iter.s/task",
                      "ring path reads the ring files from user space"),
             "agents": ("DEGRADED map task_storage", "agent state path reads /proc")},
    "5.15": {"socket": ("DEGRADED socket hooks", "walks with bounded loops"),
             "ring": ("DEGRADED attach iter.s/task",
                      "ring path reads the ring files from user space")},
}
# What `agentmon check` must say about the socket path's hooks on each kernel.
HOOK_SIGNS = {
    "6.1": "DEGRADED socket hooks",
    "5.10": "MISSING  socket hooks",
    "5.15": "DEGRADED socket hooks",
}
# The words that must appear where a path cannot attach: the check line that
# names what is missing, and the log line that disables the path.
REFUSAL_SIGNS = {
    "socket": ("socket hooks", "socket path disabled"),
    "ring": ("MISSING  attach iter.s/task", "ring path disabled"),
    "agents": ("", "agent state path disabled"),
}
CARRIERS = {"unix": "socket", "dgram": "socket", "tcp": "socket", "ring": "ring"}
MESSAGES = 2000
RING_SECONDS = 2
BOOT_TIMEOUT = 300  # one kernel's whole run takes ~20-60 s under TCG here


def skip_or_fail(reason):
    if os.environ.get("AGENTMON_REQUIRE_BPF") == "1":
        print(f"FAIL: {reason} (AGENTMON_REQUIRE_BPF=1 forbids skipping)")
        raise SystemExit(1)
    print(f"SKIP: {reason}")
    raise SystemExit(harness.SKIP)


def totals(text, carrier):
    return harness.transport_totals(harness.parse_metrics(text or ""), carrier)


def collectors(text):
    return {labels.get("collector") for name, labels, _ in harness.parse_metrics(text or "")
            if name == "agentmon_collector_cpu_seconds_total"}


def judge_agents(checks, kernel, text):
    """After the last run every bus agent has exited: the agent state path must
    have counted their CPU time and seen them end with status 0."""
    samples = harness.parse_metrics(text or "")
    cpu = sum(v for name, _, v in samples if name == "agent_cpu_seconds_total")
    exited = [labels for name, labels, v in samples if name == "agent_status" and v == 3]
    print(f"     {kernel} agents: {cpu:.3f} s of agent CPU, {len(exited)} agents exited")
    checks.check(cpu > 0, f"{kernel}: agents path counted the bus agents' CPU time")
    checks.check(len(exited) >= 4, f"{kernel}: agents path saw the bus's 4 agents exit "
                 "(agent_status 3)", str(exited))


def judge(checks, kernel, found):
    expect = EXPECTATIONS[kernel]
    check_out, log = found.get("check", ""), found.get("agentmon log", "")
    checks.check(found.get("ready") == "yes", f"{kernel}: agentmon served /readyz in the guest",
                 log[-1500:])
    checks.check(HOOK_SIGNS[kernel] in check_out, f"{kernel}: check says {HOOK_SIGNS[kernel]!r}")
    last = found.get("metrics ring after", "")
    attached = collectors(last)
    for path, want in expect.items():
        is_attached = path in attached
        if want == "exact":
            checks.check(is_attached, f"{kernel}: {path} path attached", log[-1500:])
            for sign in FALLBACK_SIGNS.get(kernel, {}).get(path, ()):
                checks.check(sign in check_out + log, f"{kernel}: check or log says {sign!r}")
            continue
        checks.check(not is_attached, f"{kernel}: {path} path not attached (expected refused)")
        check_sign, log_sign = REFUSAL_SIGNS[path]
        if check_sign:
            checks.check(check_sign in check_out, f"{kernel}: check says {check_sign!r}")
        checks.check(log_sign in log, f"{kernel}: log says {log_sign!r}")
    if expect["agents"] == "exact":
        judge_agents(checks, kernel, last)
    for carrier, path in CARRIERS.items():
        truth_text = found.get(f"truth {carrier}", "").strip()
        bus = found.get(f"agentbus {carrier}", "")
        if not checks.check(bus.startswith("exit code 0") and truth_text,
                            f"{kernel}: agentbus {carrier} ran", bus[-500:]):
            continue
        want = json.loads(truth_text)["by_carrier"][carrier]
        before = totals(found.get(f"metrics {carrier} before"), carrier)
        after = totals(found.get(f"metrics {carrier} after"), carrier)
        got = {k: after[k] - before[k] for k in after}
        print(f"     {kernel} {carrier}: agentmon {got['sent']:.0f}/{got['received']:.0f} "
              f"frames sent/received, truth {want['sent']}/{want['received']}")
        if expect[path] == "exact":
            for key in ("sent", "received", "bytes_sent", "bytes_received"):
                checks.equal(got[key], want[key], f"{kernel}: {carrier} {key}")
        else:
            checks.equal(got["sent"] + got["received"], 0,
                         f"{kernel}: {carrier} counts nothing while its path is refused")


def main():
    if os.geteuid() != 0:
        skip_or_fail("the kernel matrix needs root (like every live test; apt-get download "
                     "writes the kernel cache as root)")
    if not kernel_vm.qemu_present():
        skip_or_fail("qemu-system-x86_64 is missing; scripts/install-deps.sh --with-tests "
                     "installs qemu-system-x86")
    kernels = os.environ.get("AGENTMON_KERNELS", "6.1 5.15 5.10").split()
    checks = harness.Checks()
    with tempfile.TemporaryDirectory(prefix="agentmon-kvm-") as tmp:
        initramfs = os.path.join(tmp, "initramfs.cpio")
        kernel_vm.build_initramfs(initramfs)
        for kernel in kernels:
            if kernel not in EXPECTATIONS:
                checks.check(False, f"{kernel}: a kernel of the matrix",
                             f"known: {' '.join(EXPECTATIONS)}")
                continue
            try:
                vmlinuz = kernel_vm.fetch_kernel(kernel)
            except Exception as error:  # noqa: BLE001 - the reason is the report
                checks.check(False, f"{kernel}: kernel fetched from its archive", str(error))
                continue
            console_log = os.path.join(kernel_vm.cache_dir(), f"console-{kernel}.log")
            seconds, console = kernel_vm.boot(
                vmlinuz, initramfs, console_log,
                {"carriers": ",".join(CARRIERS), "messages": MESSAGES,
                 "ring_seconds": RING_SECONDS}, BOOT_TIMEOUT)
            found = kernel_vm.sections(console)
            print(f"     {kernel}: guest {found.get('uname', '?')} ran in {seconds:.0f} s; "
                  f"console in {console_log}")
            if not checks.check("@@DONE" in console, f"{kernel}: guest ran to the end",
                                console[-2000:]):
                continue
            print("\n".join("     | " + line for line in found.get("check", "").splitlines()))
            judge(checks, kernel, found)
    checks.finish()


main()
