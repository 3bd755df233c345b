#!/usr/bin/env python3
"""Every fault kind runs and shows in the truth file.

Triggers: 4 agents at 20k frames/s for 1.5 s, one fault on agent 2 from 0.3 s
for 0.6 s. Expects: the fault's counters in truth["faults"] are non-zero, and
faults that lose nothing still deliver every frame (sent == received).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

checks = harness.Checks()


BASE = ["--agents", "4", "--duration", "1.5", "--rate", "20000", "--fault-start", "0.3",
        "--fault-duration", "0.6", "--drain-timeout", "1"]


def run(kind, extra=()):
    code, truth, err = harness.run_agentbus(BASE + ["--fault", f"{kind}:2", "--tcp-port",
                                                   str(harness.free_port_base(4))] + list(extra))
    checks.equal(code, 0, f"{kind}: exit code")
    if truth is None:
        checks.check(False, f"{kind}: truth written", err[-2000:])
        return None
    injected = truth["faults"]["injected"]
    checks.check(any(f["kind"] == kind and f["agent"] == 2 for f in injected),
                 f"{kind}: listed in faults.injected")
    return truth


def lossless(kind, truth):
    checks.equal(truth["received"], truth["sent"], f"{kind}: sent == received")
    checks.equal(truth["bytes_received"], truth["bytes_sent"], f"{kind}: bytes")


t = run("slow", ["--slow-ms", "5"])
if t:
    checks.check(t["faults"]["slow_replies"] > 0, "slow: replies were delayed")
    lossless("slow", t)

t = run("stall")
if t:
    checks.check(0.5 <= t["faults"]["stalled_seconds"] <= 0.8, "stall: ~0.6 s stalled",
                 repr(t["faults"]["stalled_seconds"]))
    checks.check(t["latency_seconds"]["max"] >= 0.3, "stall: latency shows the stall")
    lossless("stall", t)

t = run("malformed")
if t:
    m = t["faults"]["malformed"]
    checks.check(m["events"] > 0, "malformed: garbage injected", repr(m))
    checks.equal(m["bytes_skipped"], m["bytes_injected"], "malformed: every garbage byte skipped")
    checks.check(m["resyncs"] > 0, "malformed: receivers resynchronised")
    checks.check(m["datagrams_rejected"] > 0, "malformed: garbage datagrams rejected")
    lossless("malformed", t)

t = run("flood")
if t:
    checks.check(t["faults"]["flood_frames"] > 1000, "flood: EMERGENCY bursts sent")
    checks.check(t["by_type"]["EMERGENCY"] >= t["faults"]["flood_frames"],
                 "flood: EMERGENCY frames received")
    lossless("flood", t)

t = run("unauthorized")
if t:
    u = t["faults"]["unauthorized"]
    checks.check(u["frames_sent"] > 0, "unauthorized: intruder sent frames", repr(u))
    checks.equal(u["frames_received"], u["frames_sent"], "unauthorized: all counted apart")
    checks.equal(u["connections"], 1, "unauthorized: one foreign connection")
    lossless("unauthorized", t)

t = run("crash")
if t:
    checks.equal(t["faults"]["crashes"], 1, "crash: one crash")
    checks.equal(t["faults"]["restarts"], 1, "crash: restarted")
    checks.equal(len(t["agents"][1]["pids"]), 2, "crash: agent 2 had two pids")
    checks.check(t["broken_connections"] > 0, "crash: peers saw broken connections")
    checks.check(t["reconnects"] > 0, "crash: peers reconnected")
    checks.check(t["received"] > 0 and t["received"] <= t["sent"], "crash: traffic went on")

t = run("crash", ["--carrier", "ring,unix"])
if t:
    new_pid = t["agents"][1]["pids"][-1]
    checks.check(any(f"_{new_pid}_" in f for f in t["ring_files"]),
                 "crash on rings: the restarted agent published new ring files", repr(t["ring_files"]))
    checks.check(t["by_carrier"]["ring"]["received"] > 0, "crash on rings: ring traffic")

t = run("crash", ["--no-restart"])
if t:
    checks.equal(t["faults"]["crashes"], 1, "crash --no-restart: one crash")
    checks.equal(t["faults"]["restarts"], 0, "crash --no-restart: no restart")
    checks.equal(len(t["agents"][1]["pids"]), 1, "crash --no-restart: one pid")

checks.finish()
