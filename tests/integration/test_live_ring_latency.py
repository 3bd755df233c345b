"""Ring latency agrees with the bus's truth.

Triggers: agentmon with a 1 s tick (the default); agentbus on the ring carrier,
6 agents (30 rings: a p99 needs thousands of measurements, and a tick measures
15 to 20 requests per ring), 20000 frames/s for 10 s, with its ground-truth
latency histogram.
Expects: the p50 and the p99 of agent_transport_latency_seconds{carrier="ring"}
each within one bucket of the bus's own p50 and p99, and the p99 within one
bucket of the bus's maximum. The latency is measured by the replies to sampled
requests (docs/ring-path.md "Latency"); placed by the tail's progress between
two reads, as before, the p50 was 8 buckets above the bus's (le=0.025 against
35 us on a busy machine).
"""

import bisect
import time

import harness

harness.require_bpf()
checks = harness.Checks()
BOUNDS = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
          0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]


def ring_buckets(samples):
    out = {}
    for name, labels, value in samples:
        if name == "agent_transport_latency_seconds_bucket" and labels.get("carrier") == "ring":
            le = float(labels["le"])
            out[le] = out.get(le, 0) + value
    return out


def quantile_bucket(cumulative, q):
    """Index of the bucket (in BOUNDS, len(BOUNDS) = +Inf) holding quantile q."""
    les = sorted(cumulative)
    total = cumulative[les[-1]]
    for le in les:
        if cumulative[le] >= q * total:
            return bisect.bisect_left(BOUNDS, le) if le != float("inf") else len(BOUNDS)
    return len(BOUNDS)


with harness.agentmon_running(tick="1s") as (url, _):
    time.sleep(2)
    before = ring_buckets(harness.scrape(url))
    code, truth, err = harness.run_agentbus(["--carrier", "ring", "--agents", "6", "--rate",
                                             "20000", "--duration", "10"])
    checks.check(code == 0 and truth, "agentbus ran", err[-500:])
    time.sleep(3)  # the final reads of the closed rings
    after = ring_buckets(harness.scrape(url))
    delta = {le: after.get(le, 0) - before.get(le, 0) for le in after}
    if truth and delta:
        for q, key in ((0.5, "p50"), (0.99, "p99")):
            got = quantile_bucket(delta, q)
            want = bisect.bisect_left(BOUNDS, truth["latency_seconds"][key])
            shown = BOUNDS[got] if got < len(BOUNDS) else float("inf")
            print(f"figure: ring latency {key}: agentmon bucket le={shown}, bus "
                  f"{truth['latency_seconds'][key] * 1e3:.3f} ms (bucket le={BOUNDS[want]}), "
                  f"bus max {truth['latency_seconds']['max'] * 1e3:.3f} ms")
            checks.check(abs(got - want) <= 1, f"ring latency {key} within one bucket of the bus's",
                         f"{got - want} buckets off (agentmon bucket {got}, truth bucket {want})")
            if key == "p99":
                top = bisect.bisect_left(BOUNDS, truth["latency_seconds"]["max"])
                checks.check(got <= top + 1, "ring latency p99 within one bucket of the bus's max",
                             f"agentmon bucket {got}, bus max bucket {top}")
checks.finish()
