#!/usr/bin/env python3
"""agentbus delivers every frame on every carrier: each carrier alone, batched
and split streams, all carriers at once, 28 agents, and the truth schema.

Triggers: agentbus runs with --messages M and no fault.
Expects: sent == received == M and bytes_sent == bytes_received, per carrier
and in total; ring files are gone after exit.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CARRIERS = ["unix", "dgram", "tcp", "ring"]
checks = harness.Checks()


def exact(label, args, messages):
    args = args + ["--messages", str(messages), "--tcp-port", str(harness.free_port_base(28))]
    code, truth, err = harness.run_agentbus(args)
    if not checks.equal(code, 0, f"{label}: exit code") or truth is None:
        print(err[-2000:])
        return None
    checks.equal(truth["sent"], messages, f"{label}: sent")
    checks.equal(truth["received"], messages, f"{label}: received")
    checks.equal(truth["bytes_received"], truth["bytes_sent"], f"{label}: bytes")
    checks.equal(truth["lost"], 0, f"{label}: lost")
    checks.equal(truth["crc_errors"], 0, f"{label}: crc_errors")
    for name, c in truth["by_carrier"].items():
        checks.equal(c["received"], c["sent"], f"{label}: {name} received == sent")
        checks.equal(c["bytes_received"], c["bytes_sent"], f"{label}: {name} bytes")
    return truth


for carrier in CARRIERS:
    truth = exact(f"{carrier} alone", ["--carrier", carrier, "--agents", "3"], 20000)
    if truth:
        checks.equal(sorted(truth["by_carrier"]), [carrier], f"{carrier} alone: only {carrier}")
        checks.equal(truth["by_carrier"][carrier]["sent"], 20000, f"{carrier} alone: carrier sent")

for carrier in ["unix", "tcp"]:
    exact(f"{carrier} --batch 64", ["--carrier", carrier, "--agents", "3", "--batch", "64"], 50000)
    exact(f"{carrier} --split", ["--carrier", carrier, "--agents", "3", "--split"], 10000)
    exact(f"{carrier} --split --batch 16",
          ["--carrier", carrier, "--agents", "2", "--split", "--batch", "16"], 10000)

truth = exact("payload 0:3000", ["--carrier", "unix,ring,dgram", "--agents", "3",
                                 "--payload", "0:3000"], 10000)
if truth:
    checks.check(truth["bytes_sent"] > 10000 * 168, "payload 0:3000: payload bytes travel")

truth = exact("all carriers", ["--agents", "4"], 40000)
if truth:
    checks.equal(sorted(truth["by_carrier"]), sorted(CARRIERS), "all carriers: all four used")
    for c in CARRIERS:
        checks.check(truth["by_carrier"][c]["sent"] > 0, f"all carriers: {c} carried frames")

ns = f"itest{os.getpid()}"
truth = exact("28 agents", ["--agents", "28", "--namespace", ns, "--rate", "0"], 28000)
if truth:
    # Truth schema.
    for key, kind in [("sent", int), ("received", int), ("bytes_sent", int),
                      ("bytes_received", int), ("throughput_mps", (int, float)),
                      ("duration_seconds", (int, float)), ("by_carrier", dict), ("by_type", dict),
                      ("latency_seconds", dict), ("faults", dict), ("agents", list),
                      ("lost", int), ("crc_errors", int)]:
        checks.check(isinstance(truth.get(key), kind), f"truth: {key} is {kind}", repr(truth.get(key)))
    for key in ["p50", "p99", "max"]:
        checks.check(isinstance(truth["latency_seconds"].get(key), (int, float)),
                     f"truth: latency_seconds.{key}")
    lat = truth["latency_seconds"]
    checks.check(0 < lat["p50"] <= lat["p99"] <= lat["max"], "truth: p50 <= p99 <= max", repr(lat))
    checks.check(truth["throughput_mps"] > 0, "truth: throughput_mps > 0")
    checks.equal(sum(truth["by_type"].values()), truth["received"], "truth: by_type sums to received")
    for t in ["REQUEST", "RESPONSE", "BROADCAST", "HEARTBEAT", "TASK", "RESULT", "STATE_SYNC",
              "RESOURCE_REQ", "RESOURCE_RESP", "DISCOVERY", "ACK"]:
        checks.check(truth["by_type"].get(t, 0) > 0, f"truth: mix has {t}")
    checks.equal(truth["by_type"]["REQUEST"], truth["by_type"]["RESPONSE"],
                 "truth: every REQUEST answered by a RESPONSE")
    checks.equal(truth["by_type"]["TASK"], truth["by_type"]["RESULT"], "truth: every TASK has a RESULT")
    checks.equal(len(truth["agents"]), 28, "truth: 28 agents")
    checks.equal([a["id"] for a in truth["agents"]], list(range(1, 29)), "truth: agent ids 1..28")
    checks.equal(truth["agents"][0]["type"], "DIRECTOR", "truth: agent 1 is DIRECTOR")
    checks.equal(truth["agents"][27]["type"], "ARCHITECT", "truth: agent 28 is ARCHITECT")
    checks.check(all(len(a["pids"]) == 1 for a in truth["agents"]), "truth: one pid per agent")
    checks.equal(sum(a["sent"] for a in truth["agents"]), 28000, "truth: agents' sent sums up")
    leftovers = [f for f in os.listdir("/dev/shm") if f.startswith(f"agent_ring_{ns}_")]
    checks.equal(leftovers, [], "ring files removed at exit")
    checks.equal(len(truth["ring_files"]), 56, "28 agents publish 56 rings")

checks.finish()
