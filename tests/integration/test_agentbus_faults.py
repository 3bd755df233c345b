#!/usr/bin/env python3
"""Every fault kind runs and shows in the truth file.

Triggers: 4 agents at 20k frames/s for 1.5 s, one fault on agent 2 from 0.3 s
for 0.6 s. Expects: the fault's counters in truth["faults"] are non-zero, and
faults that lose nothing still deliver every frame (sent == received).
Then the dying agent and the benign look-alikes, each with its own timing:
degrade (ramp 2 s from 0.5 s: the crash comes at ~2.5 s with SIGABRT, after
its reply delay, errors and RSS grew), burst (the bus rate steps up in two
separate bursts) and restart (exit 0, a new pid, nothing unexpected).
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



def run_own(kind, args):
    code, truth, err = harness.run_agentbus(
        ["--agents", "4", "--rate", "20000", "--fault-start", "0.5", "--drain-timeout", "1",
         "--tcp-port", str(harness.free_port_base(4))] + args)
    checks.equal(code, 0, f"{kind}: exit code")
    if truth is None:
        checks.check(False, f"{kind}: truth written", err[-2000:])
    return truth


t = run_own("degrade", ["--duration", "4", "--fault", "degrade:2:2"])
if t:
    f = t["faults"]
    d = f["degrade"][0]
    checks.check(d["signal"] == 6, "degrade: the agent died of SIGABRT", repr(d))
    checks.check(d["crash_seconds"] is not None and 2.45 <= d["crash_seconds"] <= 2.9,
                 "degrade: crashed at about start + SECONDS (2.5 s)", repr(d))
    checks.equal(d["expected_crash_seconds"], 2.5, "degrade: expected crash time recorded")
    checks.check(d["peak_rss_kb"] - d["first_rss_kb"] > 64 * 1024,
                 "degrade: RSS grew by more than 64 MiB before the crash", repr(d))
    checks.equal(f["crashes"], 1, "degrade: counted as one crash")
    checks.equal(f["unexpected_exits"], 0, "degrade: the crash was not unexpected")
    checks.equal(f["restarts"], 1, "degrade: restarted like a crash")
    checks.check(f["degrade_errors"] > 0, "degrade: ERROR frames sent", repr(f["degrade_errors"]))
    ramp = [s for s in f["timeline"] if 0.5 <= s["t"] < 2.5 and s["rss_kb"][0] >= 0]
    early = [s["reply_delay_us"][0] for s in ramp if s["t"] < 1.0]
    late = [s["reply_delay_us"][0] for s in ramp if s["t"] >= 2.0]
    checks.check(early and late and max(early) < 15000 and min(late) > 30000,
                 "degrade: reply delay grew (under 15 ms early, over 30 ms late)",
                 repr((early, late)))
    rss = [s["rss_kb"][0] for s in ramp]
    checks.check(len(rss) > 5 and rss == sorted(rss), "degrade: RSS only grew", repr(rss))
    errs = [s["errors"][0] for s in ramp]
    checks.check(errs and errs[-1] > errs[0], "degrade: errors grew", repr(errs))
    checks.check(t["latency_seconds"]["max"] >= 0.03, "degrade: bus latency shows the delay")


def rates(timeline):
    """(mid-time, frames/s) between consecutive samples."""
    return [((a["t"] + b["t"]) / 2, (b["sent"] - a["sent"]) / (b["t"] - a["t"]))
            for a, b in zip(timeline, timeline[1:])]


# Bursts at 0.5-1.5 s and 3.5-4.5 s (4x the rate for 1 s of every 3 s).
t = run_own("burst", ["--duration", "4.6", "--fault-duration", "4", "--fault", "burst"])
if t:
    f = t["faults"]
    r = rates(f["timeline"])
    on = [v for m, v in r if 0.7 < m < 1.3 or 3.7 < m < 4.3]
    off = [v for m, v in r if 1.8 < m < 3.2]
    checks.check(on and off, "burst: samples in and between bursts", repr(r))
    if on and off:
        first = [v for m, v in r if 0.7 < m < 1.3]
        second = [v for m, v in r if 3.7 < m < 4.3]
        quiet = sorted(off)[len(off) // 2]
        checks.check(sorted(first)[len(first) // 2] > 2.5 * quiet and
                     sorted(second)[len(second) // 2] > 2.5 * quiet,
                     "burst: two separate bursts, each over 2.5x the rate between them", repr(r))
    checks.check(f["burst_frames"] > 0, "burst: frames originated in bursts")
    checks.equal(f["crashes"] + f["unexpected_exits"] + f["restarts"], 0, "burst: nobody died")
    lossless("burst", t)

t = run_own("restart", ["--duration", "1.5", "--fault", "restart:2"])
if t:
    f = t["faults"]
    r = f["restart"][0]
    checks.check(r["exit_status"] == 0, "restart: the agent exited 0", repr(r))
    checks.check(r["exit_seconds"] is not None and 0.5 <= r["exit_seconds"] < 0.8,
                 "restart: at fault start", repr(r))
    checks.equal(f["restarts"], 1, "restart: came back")
    checks.equal(f["crashes"] + f["unexpected_exits"], 0, "restart: no crash, nothing unexpected")
    checks.equal(len(t["agents"][1]["pids"]), 2, "restart: agent 2 had two pids")
    checks.check(t["received"] > 0, "restart: traffic went on")

checks.finish()
