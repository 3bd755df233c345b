#!/usr/bin/env python3
"""Agent state path cost: per-run time of each of its BPF programs, from the
kernel's run-time statistics (kernel.bpf_stats_enabled, which agentmon turns on).

  idle  agentmon with no agents on the host: every run is the rejection of a
        task that is not an agent (one test of its task storage pointer)
  bus   agentbus with 28 agents at RATE frames/s: agent threads take the full
        path (runtime added, run-queue wait histogrammed)

Prints runs, runs per second and ns per run per program and phase. The
statistics themselves add about 20 ns to each run. Run as root from the
repository root after building. Environment: SECONDS_PER_PHASE (default 10),
RATE (default 2000).
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402

PHASE = float(os.environ.get("SECONDS_PER_PHASE", "10"))
RATE = os.environ.get("RATE", "2000")


def program_stats(url):
    samples = harness.scrape(url)
    out = {}
    for name, labels, value in samples:
        program = labels.get("program", "")
        if not program.startswith("agent_"):
            continue
        if name == "agentmon_bpf_program_runs_total":
            out.setdefault(program, [0, 0])[0] = value
        elif name == "agentmon_bpf_program_run_time_seconds_total":
            out.setdefault(program, [0, 0])[1] = value
    return out


def report(phase, before, after, seconds):
    print(f"{phase}: {seconds:.1f} s")
    print(f"  {'program':<18} {'runs':>10} {'runs/s':>10} {'ns/run':>8}")
    for program in sorted(after):
        runs = after[program][0] - before.get(program, [0, 0])[0]
        spent = after[program][1] - before.get(program, [0, 0])[1]
        per_run = spent / runs * 1e9 if runs else 0
        print(f"  {program:<18} {runs:>10.0f} {runs / seconds:>10.0f} {per_run:>8.0f}")


def measure(url, phase):
    before, start = program_stats(url), time.monotonic()
    time.sleep(PHASE)
    after = program_stats(url)
    report(phase, before, after, time.monotonic() - start)


with tempfile.TemporaryDirectory(prefix="bench-agents-") as tmp:
    config = os.path.join(tmp, "agentmon.json")
    with open(config, "w") as f:
        f.write('{"pin_dir": "/sys/fs/bpf/agentmon-bench-agents", "socket_path": false}')
    with harness.agentmon_running(config=config, tick="1s") as (url, _):
        time.sleep(2)
        measure(url, "idle (no agents)")
        bus = [harness.binary("agentbus"), "--run-dir", tmp, "--agents", "28", "--carrier",
               "unix", "--rate", RATE, "--duration", str(PHASE + 10)]
        with harness.background(bus):
            time.sleep(3)
            measure(url, f"bus (28 agents, {RATE} frames/s)")
