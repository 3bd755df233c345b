#!/usr/bin/env python3
"""Two agentmon builds against each other on the socket path, on a shared machine.

  AGENTMON_BIN_DIR_A=old/bin AGENTMON_BIN_DIR_B=build/bin python3 scripts/bench_socket_ab.py

For each row (as in scripts/bench_socket_overhead.py: 2 agents, --rate 0, 64-byte
payload), rounds of three bus runs rotate through: no observer, build A, build B.
Prints medians: frames/s and ratio to without, and each build's BPF programs' run
time per run and per frame (kernel.bpf_stats_enabled). The bpf_stats figures are
the ones other load on the machine moves least, so this is the comparison to
make between two builds when the throughput ratios are noisy.
Environment: PAIRS (default 3), DURATION, ROWS as for bench_socket.py.
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402
import bench_socket_overhead as overhead  # noqa: E402

PAIRS = int(os.environ.get("PAIRS", "3"))
BUILDS = {"A": os.environ.get("AGENTMON_BIN_DIR_A"), "B": os.environ.get("AGENTMON_BIN_DIR_B")}


def measure(build, carrier, batch):
    if build == "without":
        return overhead.measure("without", carrier, batch)
    harness.BIN_DIR = BUILDS[build]  # agentmon and agentbus of that build
    return overhead.measure("agentmon", carrier, batch)


def main():
    if os.geteuid() != 0:
        sys.exit("bench-socket-ab: run as root (agentmon loads BPF programs)")
    if not all(BUILDS.values()):
        sys.exit("set AGENTMON_BIN_DIR_A and AGENTMON_BIN_DIR_B to two builds' bin directories")
    print(f"A = {BUILDS['A']}, B = {BUILDS['B']}; medians of {PAIRS} rounds "
          f"(without, A, B), {overhead.DURATION:g} s runs")
    with overhead.bpf_stats_enabled():
        for carrier, batch in overhead.ROWS:
            runs = {name: [] for name in ("without", "A", "B")}
            for _ in range(PAIRS):
                for name in runs:
                    runs[name].append(measure(name, carrier, batch))
            base = statistics.median(r[0] for r in runs["without"])
            print(f"{carrier} batch {batch or '-'}: without {base:.0f} frames/s")
            for name in ("A", "B"):
                fps = statistics.median(r[0] for r in runs[name])
                per_frame, programs = overhead.bpf_summary(runs[name])
                print(f"  {name}: {fps:.0f} frames/s ({fps / base:.3f}), BPF {per_frame:.1f} "
                      f"ns/frame; " + ", ".join(f"{n} {ns:.0f} ns/run x {rpf:.3f}/frame"
                                                for n, (ns, rpf) in programs.items()), flush=True)


if __name__ == "__main__":
    main()
