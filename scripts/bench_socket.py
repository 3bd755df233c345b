#!/usr/bin/env python3
"""Socket-path benchmark: exactness, latency agreement, overhead and a peer.

  exactness  for unix, dgram and tcp with --batch 1, --batch 64 and --split:
             agentmon's sent and received frames and bytes minus agentbus's truth
  latency    agentmon's p50 and p99 against the bus's own measurement, in buckets
  overhead   agentbus throughput without an observer, with empty bpftrace programs
             on agentmon's tracepoints (the floor), with a bpftrace count and with
             agentmon, alternating, medians (scripts/bench_socket_overhead.py)

Run as root from the repository root (scripts/bench-socket.sh builds first).
Environment: PAIRS (rounds, default 7), DURATION seconds per overhead run
(default 3), AGENT_PATH=off|on (agentmon without or with its agent state path,
default off), ROWS (e.g. "unix:64 tcp:1", default all), SKIP_OVERHEAD=1,
SKIP_EXACTNESS=1, TRACING="0.01 1" (agentmon columns with tracing at
those sample ratios).
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402
import bench_socket_overhead  # noqa: E402

CARRIERS = ["unix", "dgram", "tcp"]


agentbus = bench_socket_overhead.agentbus


def settle(url):
    time.sleep(0.6)  # three 200 ms ticks: the last frames reach the snapshot
    return harness.scrape(url)


def exactness():
    print("exactness: agentmon minus truth, 4 agents, 50000 frames per run")
    print(f"| {'carrier':7} | {'pattern':8} | {'sent':>7} | {'received':>8} | {'bytes sent':>10} "
          f"| {'bytes recv':>10} | d_sent | d_recv | d_bytes |")
    failures = 0
    with harness.agentmon_running() as (url, _):
        for carrier in CARRIERS:
            patterns = [("batch 1", ["--batch", "1"])]
            if carrier != "dgram":  # one frame per datagram: batching and splitting do not apply
                patterns += [("batch 64", ["--batch", "64"]), ("split", ["--split"])]
            for name, extra in patterns:
                before = harness.transport_totals(settle(url), carrier)
                truth, _ = agentbus(["--agents", "4", "--carrier", carrier, "--messages", "50000"]
                                    + extra)
                after = harness.transport_totals(settle(url), carrier)
                got = {k: after[k] - before[k] for k in after}
                want = truth["by_carrier"][carrier]
                d_sent = got["sent"] - want["sent"]
                d_recv = got["received"] - want["received"]
                d_bytes = (got["bytes_sent"] - want["bytes_sent"]) + \
                          (got["bytes_received"] - want["bytes_received"])
                failures += bool(d_sent or d_recv or d_bytes)
                print(f"| {carrier:7} | {name:8} | {int(got['sent']):7} | {int(got['received']):8} "
                      f"| {int(got['bytes_sent']):10} | {int(got['bytes_received']):10} "
                      f"| {int(d_sent):6} | {int(d_recv):6} | {int(d_bytes):7} |")
    return failures


def histogram_quantile(buckets, q):
    """buckets: sorted [(le, cumulative)]; returns the upper bound of the bucket holding q."""
    total = buckets[-1][1]
    for le, cumulative in buckets:
        if cumulative >= q * total:
            return le
    return float("inf")


def latency():
    print("\nlatency: unix, 4 agents, --rate 20000 for 3 s")
    with harness.agentmon_running() as (url, _):
        truth, _ = agentbus(["--agents", "4", "--carrier", "unix", "--rate", "20000",
                             "--duration", "3"])
        samples = settle(url)
    by_le = {}
    for name, labels, value in samples:
        if name == "agent_transport_latency_seconds_bucket" and labels.get("carrier") == "unix":
            le = float(labels["le"])
            by_le[le] = by_le.get(le, 0) + value
    buckets = sorted(by_le.items())
    bounds = [le for le, _ in buckets]
    ok = True
    for q, key in ((0.5, "p50"), (0.99, "p99")):
        ours = histogram_quantile(buckets, q)
        true = truth["latency_seconds"][key]
        # The bucket the truth falls in, and ours: within one bucket of each other.
        true_index = next(i for i, le in enumerate(bounds) if true <= le)
        our_index = bounds.index(ours)
        within = abs(true_index - our_index) <= 1
        ok &= within
        print(f"  {key}: agentmon bucket le={ours:g}s, bus measured {true:.6f}s "
              f"(bucket le={bounds[true_index]:g}s): {'within one bucket' if within else 'OFF'}")
    return 0 if ok else 1


def main():
    if os.geteuid() != 0:
        sys.exit("bench-socket: run as root (agentmon loads BPF programs)")
    failures = 0
    if os.environ.get("SKIP_EXACTNESS") != "1":
        failures += exactness()
        failures += latency()
    if os.environ.get("SKIP_OVERHEAD") != "1":
        bench_socket_overhead.overhead()
    print(f"\n{'all exact' if not failures else f'{failures} check(s) failed'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
