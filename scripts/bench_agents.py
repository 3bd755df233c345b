#!/usr/bin/env python3
"""Agent state path cost, from the kernel's run-time statistics
(kernel.bpf_stats_enabled, which agentmon turns on).

  idle  agentmon with no agents on the host
  bus   agentbus with 28 agents at RATE frames/s on Unix sockets

For each phase and program: runs, runs per host context switch (/proc/stat
ctxt), and ns per run; for the per-tick iterator (agent_sample) also ns per
tick (its run time over agentmon's collection ticks: one run per task on the
host, agent or not). The statistics add about 20 ns to each run.

Then the per-tick read itself, done both ways for the bus's 28 agents, ROUNDS
times alternating, medians of the wall time in this process:
  iterator  one read of the pinned iterator link
            (pin_dir/links/agent_state/agent_sample), which runs
            it over every task on the host as a collection tick does
  procfs    what a procfs reader would need for the same figures: each agent's
            /proc/<pid>/stat and status, and every thread's schedstat (the
            process's own schedstat is its main thread's only)
Both include Python's per-call overhead (the same few syscalls each way), so
the ratio is the figure to read. Run as root from the repository root after
building. Environment: SECONDS_PER_PHASE (default 10), RATE (default 2000),
ROUNDS (default 201).
"""

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import agents_live  # noqa: E402
import harness  # noqa: E402

PHASE = float(os.environ.get("SECONDS_PER_PHASE", "10"))
RATE = os.environ.get("RATE", "2000")
ROUNDS = int(os.environ.get("ROUNDS", "201"))
PIN_DIR = "/sys/fs/bpf/agentmon-bench-agents"


def host_switches():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("ctxt "):
                return int(line.split()[1])
    return 0


def program_stats(url):
    samples = harness.scrape(url)
    out = {"ticks": 0}
    for name, labels, value in samples:
        if name == "agentmon_collections_total":
            out["ticks"] = value
        program = labels.get("program", "")
        if not program.startswith("agent_"):
            continue
        if name == "agentmon_bpf_program_runs_total":
            out.setdefault(program, [0, 0])[0] = value
        elif name == "agentmon_bpf_program_run_time_seconds_total":
            out.setdefault(program, [0, 0])[1] = value
    return out


def report(phase, before, after, seconds, switches):
    ticks = after["ticks"] - before["ticks"]
    print(f"{phase}: {seconds:.1f} s, {ticks:.0f} ticks, {switches} context switches on the host")
    print(f"  {'program':<14} {'runs':>9} {'runs/switch':>12} {'ns/run':>7} {'ns/tick':>9}")
    for program in sorted(k for k in after if k != "ticks"):
        runs = after[program][0] - before.get(program, [0, 0])[0]
        spent = after[program][1] - before.get(program, [0, 0])[1]
        per_run = spent / runs * 1e9 if runs else 0
        per_tick = f"{spent / ticks * 1e9:9.0f}" if program == "agent_sample" and ticks else ""
        print(f"  {program:<14} {runs:>9.0f} {runs / max(switches, 1):>12.4f} {per_run:>7.0f} "
              f"{per_tick:>9}")


def measure(url, phase):
    before, start, ctxt = program_stats(url), time.monotonic(), host_switches()
    time.sleep(PHASE)
    after = program_stats(url)
    report(phase, before, after, time.monotonic() - start, host_switches() - ctxt)


def read_iterator():
    with open(os.path.join(PIN_DIR, "links", "agent_state", "agent_sample"), "rb") as f:
        while f.read(4096):
            pass


def read_procfs(pids):
    for pid in pids:
        for name in ("stat", "status"):
            with open(f"/proc/{pid}/{name}", "rb") as f:
                f.read()
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
                f.read()


def compare_reads(pids):
    times = {"iterator": [], "procfs": []}
    for _ in range(ROUNDS):
        for way, call in (("iterator", read_iterator), ("procfs", lambda: read_procfs(pids))):
            start = time.perf_counter_ns()
            call()
            times[way].append(time.perf_counter_ns() - start)
    it, pf = statistics.median(times["iterator"]), statistics.median(times["procfs"])
    threads = sum(len(os.listdir(f"/proc/{p}/task")) for p in pids)
    tasks = len(os.listdir("/proc"))
    print(f"per-tick read of {len(pids)} agents ({threads} threads; ~{tasks} /proc entries on "
          f"the host), median of {ROUNDS} alternating rounds:")
    print(f"  iterator {it / 1e3:8.1f} us   procfs {pf / 1e3:8.1f} us   "
          f"procfs/iterator {pf / it:.2f}")


with tempfile.TemporaryDirectory(prefix="bench-agents-") as tmp:
    config = os.path.join(tmp, "agentmon.json")
    with open(config, "w") as f:
        f.write('{"pin_dir": "%s", "socket_path": false}' % PIN_DIR)
    with harness.agentmon_running(config=config, tick="1s") as (url, _):
        time.sleep(2)
        measure(url, "idle (no agents)")
        bus = [harness.binary("agentbus"), "--run-dir", tmp, "--agents", "28", "--carrier",
               "unix", "--rate", RATE, "--duration", str(PHASE + 30)]
        with harness.background(bus) as proc:
            time.sleep(3)
            measure(url, f"bus (28 agents, {RATE} frames/s)")
            pids = list(agents_live.children(proc.pid))
            compare_reads(pids)
