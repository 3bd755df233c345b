#!/usr/bin/env python3
"""The demo's live line and its closing comparison.

Every INTERVAL seconds, while the bus (BUS_PID) runs, reads agentmon's /metrics as
Prometheus would and prints one line: frames per second sent and received, the p99
latency per carrier over the interval (from the latency histogram's bucket deltas,
interpolated as histogram_quantile does), and agentmon's own CPU and RSS. When the
bus has exited, prints agentmon's final per-carrier totals beside the bus's ground
truth (TRUTH, agentbus --truth) and whether they agree.

Usage: demo_live.py URL BUS_PID TRUTH [INTERVAL]
"""

import json
import math
import os
import re
import sys
import time
import urllib.request

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(url):
    samples = []
    with urllib.request.urlopen(url, timeout=5) as response:
        for line in response.read().decode().splitlines():
            m = SAMPLE.match(line)
            if m and not line.startswith("#"):
                samples.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return samples


def total(samples, name, **match):
    return sum(v for n, labels, v in samples
               if n == name and all(labels.get(k) == want for k, want in match.items()))


def buckets(samples, carrier):
    """Cumulative latency buckets of one carrier: {upper bound: count}."""
    out = {}
    for n, labels, v in samples:
        if n == "agent_transport_latency_seconds_bucket" and labels.get("carrier") == carrier:
            le = math.inf if labels["le"] == "+Inf" else float(labels["le"])
            out[le] = out.get(le, 0.0) + v
    return out


def quantile(q, before, after):
    """histogram_quantile(q) of the bucket increase between two scrapes."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    if not counts or counts[-1] <= 0:
        return None
    rank = q * counts[-1]
    lower, below = 0.0, 0.0
    for bound, count in zip(bounds, counts):
        if count >= rank:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1e-12)
        lower, below = bound, count
    return lower


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def ms(seconds):
    return "-" if seconds is None else f"{seconds * 1e3:.2f}ms"


def main():
    url, bus_pid, truth_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
    carriers = ("unix", "dgram", "tcp", "ring")
    before, then = scrape(url), time.monotonic()
    while alive(bus_pid):
        time.sleep(interval)
        try:
            now = scrape(url)
        except OSError as e:
            print(f"agentmon | scrape failed: {e}", flush=True)
            continue
        dt = time.monotonic() - then
        rate = {d: (total(now, "agent_transport_messages_total", direction=d)
                    - total(before, "agent_transport_messages_total", direction=d)) / dt
                for d in ("sent", "received")}
        p99 = " ".join(f"{c}={ms(quantile(0.99, buckets(before, c), buckets(now, c)))}" for c in carriers)
        cpu = (total(now, "process_cpu_seconds_total") - total(before, "process_cpu_seconds_total")) / dt
        rss = total(now, "process_resident_memory_bytes") / 2**20
        print(f"agentmon | sent {rate['sent']:,.0f}/s received {rate['received']:,.0f}/s"
              f" | p99 {p99} | agentmon cpu {cpu * 100:.1f}% rss {rss:.1f}MiB", flush=True)
        before, then = now, time.monotonic()
    time.sleep(interval)  # a last tick or two: closed rings get their final read
    final = scrape(url)
    try:
        truth = json.load(open(truth_path))
    except (OSError, ValueError) as e:
        print(f"demo: no ground truth to compare with ({e})")
        return 1
    agree = True
    print("demo: final totals, agentmon beside the bus's ground truth:")
    for carrier in sorted(truth["by_carrier"]):
        want = truth["by_carrier"][carrier]
        got = {d: int(total(final, "agent_transport_messages_total", carrier=carrier, direction=d))
               for d in ("sent", "received")}
        same = got["sent"] == want["sent"] and got["received"] == want["received"]
        agree &= same
        print(f"  {carrier:6} agentmon sent={got['sent']} received={got['received']}"
              f"  bus sent={want['sent']} received={want['received']}  {'agree' if same else 'DIFFER'}")
    print(f"demo: agentmon and the bus {'agree' if agree else 'DO NOT agree'}"
          f" (bus latency p50={truth['latency_seconds']['p50'] * 1e3:.3f}ms"
          f" p99={truth['latency_seconds']['p99'] * 1e3:.3f}ms)")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
