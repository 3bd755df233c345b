#!/usr/bin/env python3
"""Socket-path benchmark: exactness, latency agreement, overhead and a peer.

  exactness  for unix, dgram and tcp with --batch 1, --batch 64 and --split:
             agentmon's sent and received frames and bytes minus agentbus's truth
  latency    agentmon's p50 and p99 against the bus's own measurement, in buckets
  overhead   agentbus throughput with agentmon attached / without, alternating
             A and B, medians of PAIRS pairs; CPU added per frame
  peer       the same A/B for a bpftrace one-liner counting sock_send_length and
             sock_recv_length per process

Run as root from the repository root (scripts/bench-socket.sh builds first).
Environment: PAIRS (default 5), DURATION seconds per overhead run (default 3).
"""

import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402

PAIRS = int(os.environ.get("PAIRS", "5"))
DURATION = float(os.environ.get("DURATION", "3"))
CARRIERS = ["unix", "dgram", "tcp"]


def agentbus(args):
    """Runs agentbus; returns (truth, CPU seconds of the bus and its agents)."""
    with tempfile.TemporaryDirectory(prefix="bench-socket-") as tmp:
        truth_path = os.path.join(tmp, "truth.json")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([harness.binary("agentbus"), "--run-dir", tmp, "--truth", truth_path,
                        "--tcp-port", str(harness.free_port_base(28))] + args,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with open(truth_path) as f:
            return json.load(f), cpu


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


def throughput_run(carrier, batch):
    args = ["--agents", "2", "--carrier", carrier, "--rate", "0", "--duration", str(DURATION)]
    if batch:
        args += ["--batch", str(batch)]
    truth, cpu = agentbus(args)
    return truth["throughput_mps"], cpu / max(truth["received"], 1)


def process_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ab(label, carrier, batch, start_observer):
    """Alternates runs without (A) and with (B) an observer; returns the median ratio."""
    a, b, cpu_a, cpu_b, own = [], [], [], [], []
    for _ in range(PAIRS):
        mps, cpf = throughput_run(carrier, batch)
        a.append(mps)
        cpu_a.append(cpf)
        with start_observer() as pid:
            time.sleep(1.0)
            before = process_cpu_seconds(pid)
            mps, cpf = throughput_run(carrier, batch)
            own.append((process_cpu_seconds(pid) - before) / max(mps * DURATION, 1))
        b.append(mps)
        cpu_b.append(cpf)
    ratio = statistics.median(b) / statistics.median(a)
    added_ns = (statistics.median(cpu_b) - statistics.median(cpu_a) + statistics.median(own)) * 1e9
    print(f"| {label:9} | {carrier:5} | {batch or '-':>5} | {statistics.median(a):12.0f} "
          f"| {statistics.median(b):12.0f} | {ratio:6.3f} | {added_ns:8.0f} |")
    return ratio


class AgentmonObserver:
    def __enter__(self):
        self.ctx = harness.agentmon_running(tick="1s")
        _, proc = self.ctx.__enter__()
        return proc.pid

    def __exit__(self, *exc):
        return self.ctx.__exit__(*exc)


class BpftraceObserver:
    PROGRAM = ("tracepoint:sock:sock_send_length { @send[pid] = count(); } "
               "tracepoint:sock:sock_recv_length { @recv[pid] = count(); }")

    def __enter__(self):
        self.proc = subprocess.Popen(["bpftrace", "-e", self.PROGRAM], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        seen = []
        for _ in range(10):  # warnings (e.g. about RLIMIT_MEMLOCK) may come first
            line = self.proc.stdout.readline()
            seen.append(line)
            if "Attaching" in line:
                return self.proc.pid
            if not line:
                break
        raise RuntimeError(f"bpftrace did not start: {''.join(seen)}")

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGINT)
        self.proc.communicate(timeout=30)


def overhead():
    print(f"\noverhead: 2 agents, --rate 0, {DURATION:g} s runs, medians of {PAIRS} A/B pairs")
    print(f"| {'observer':9} | {'carr.':5} | {'batch':>5} | {'without f/s':>12} | {'with f/s':>12} "
          f"| {'ratio':>6} | {'ns/frame':>8} |")
    for carrier, batch in (("unix", 1), ("unix", 64), ("dgram", None), ("tcp", 1), ("tcp", 64)):
        ab("agentmon", carrier, batch, AgentmonObserver)
    if shutil.which("bpftrace"):
        for carrier, batch in (("unix", 1), ("unix", 64)):
            ab("bpftrace", carrier, batch, BpftraceObserver)
    else:
        print("  peer: bpftrace not installed (apt-get install bpftrace); peer rows skipped")


def main():
    if os.geteuid() != 0:
        sys.exit("bench-socket: run as root (agentmon loads BPF programs)")
    failures = exactness()
    failures += latency()
    if os.environ.get("SKIP_OVERHEAD") != "1":
        overhead()
    print(f"\n{'all exact' if not failures else f'{failures} check(s) failed'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
