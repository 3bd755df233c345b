"""A full mesh of 28 agents on each carrier in turn, observed with the shipped config.

Triggers: agentmon runs with deploy/agentmon.json exactly as shipped (only the
listen address and tick are set on the command line); agentbus runs 28 agents,
a full mesh of the 28 types, on unix, dgram, tcp and ring, one carrier after the
other. Expects: every frame and byte of every run counted under its carrier and
direction (the bus's truth); the shipped label defaults keep /metrics under
15 000 series with nothing folded into overflow; every exported series unique.
A carrier-folding budget or a label set that outgrows the defaults fails here.
"""

import collections
import time

import harness

harness.require_bpf()
checks = harness.Checks()
CONFIG = harness.source_path("deploy", "agentmon.json")
CARRIERS = ("unix", "dgram", "tcp", "ring")


def settled(url):
    time.sleep(1.0)  # several 200 ms ticks: closed rings get their final read
    return harness.scrape(url)


with harness.agentmon_running(config=CONFIG) as (url, _):
    for carrier in CARRIERS:
        before = harness.transport_totals(settled(url), carrier)
        code, truth, err = harness.run_agentbus(
            ["--carrier", carrier, "--agents", "28", "--duration", "3", "--rate", "40000",
             "--tcp-port", str(harness.free_port_base(28))], timeout=180)
        if not checks.check(code == 0 and truth, f"{carrier}: agentbus with 28 agents", err[-500:]):
            continue
        after = harness.transport_totals(settled(url), carrier)
        want = truth["by_carrier"][carrier]
        checks.check(want["sent"] > 10000, f"{carrier}: the bus moved frames ({want['sent']})")
        for key in ("sent", "received", "bytes_sent", "bytes_received"):
            checks.equal(after[key] - before[key], want[key],
                         f"{carrier}: every {key.replace('_', ' ')} counted with the shipped config")
    samples = harness.scrape(url)
    checks.check(len(samples) <= 15000, f"{len(samples)} series on /metrics (at most 15 000)")
    folded = [(n, l) for n, l, _ in samples if "overflow" in l.values()]
    checks.check(not folded, "nothing folded into overflow", str(folded[:3]))
    dropped = harness.metric_sum(samples, "agentmon_series_dropped_total")
    checks.equal(dropped, 0, "agentmon_series_dropped_total is 0 for every family")
    keys = collections.Counter((n, tuple(sorted(l.items()))) for n, l, _ in samples)
    duplicates = [k for k, count in keys.items() if count > 1]
    checks.check(not duplicates, "every exported series is unique", str(duplicates[:3]))
    pairs = {(l.get("source_agent"), l.get("target_agent"))
             for n, l, _ in samples if n == "message_flow_matrix"}
    checks.check(len(pairs) >= 28 * 27, f"the flow matrix holds the mesh's pairs ({len(pairs)})")
checks.finish()
