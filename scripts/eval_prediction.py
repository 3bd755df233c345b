#!/usr/bin/env python3
"""Failure prediction, evaluated on the real collector against the real bus.

agentmon runs (tick 1 s, prediction horizon HORIZON seconds) while agentbus
runs ROUNDS rounds of 28 agents at RATE frames/s. Each round starts with
WARMUP seconds of healthy traffic; then, at once:
  - six agents degrade (--fault degrade) over ramps of 60..110 s and crash
    (SIGABRT): the slow deaths to predict;
  - one agent turns slow but healthy (--fault slow, 20 ms replies);
  - one agent restarts cleanly (--fault restart);
  - in even rounds every agent bursts to 4x its rate 1 s in 3 (--fault burst).
The score of every agent is scraped every second.

Time is compressed: the default horizon of 5 minutes is scaled to HORIZON
(60 s: 5x), and so are the ramps (60..110 s stand for 5..9 minutes) and the
bus-hours of healthy traffic (each real second counts COMPRESSION seconds).

Reports:
  recall      deaths whose score reached 0.8 at least 30 s before the crash
  lead time   crash time minus first time at or above 0.8 (median, min)
  false alarms per hour of healthy traffic (compressed and real): an alarm is
              a rise to >= 0.8 (re-armed below 0.5) on a process that is not
              degrading
  precision   alarms on degrading processes / all alarms
  calibration for every scraped score: the share of them followed by that
              agent's crash within the horizon, by score band, and the Brier
              score (mean squared difference between score and outcome)
Writes the per-tick scores to TRACE (JSON lines) for inspection.
Environment: ROUNDS (4), RATE (2000), HORIZON (60), WARMUP (90), TRACE.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402  (takes the host-wide test lock)

ROUNDS = int(os.environ.get("ROUNDS", "4"))
RATE = os.environ.get("RATE", "2000")
HORIZON = float(os.environ.get("HORIZON", "60"))
WARMUP = float(os.environ.get("WARMUP", "90"))
TRACE = os.environ.get("TRACE", "/tmp/eval-prediction-trace.jsonl")
COMPRESSION = 300.0 / HORIZON
RAMPS = [60, 70, 80, 90, 100, 110]
TAIL = 20
LEAD_REQUIRED = 30.0
ALARM, REARM = 0.8, 0.5


def scores(url):
    """{agent_type: score} from one scrape."""
    with urllib.request.urlopen(url + "/metrics", timeout=5) as r:
        body = r.read().decode()
    out = {}
    for line in body.splitlines():
        if line.startswith("failure_prediction_score{"):
            labels, _, value = line.rpartition(" ")
            kind = labels.split('agent_type="', 1)[1].split('"', 1)[0]
            out[kind] = float(value)
    return out


def round_faults(r):
    """Agent ids (1..28) that degrade, the slow one, the restarted one."""
    pool = [((r * 7 + k * 5) % 27) + 2 for k in range(8)]
    return pool[:6], pool[6], pool[7]


def run_round(r, url, trace):
    degrading, slow, restart = round_faults(r)
    duration = WARMUP + max(RAMPS) + TAIL
    args = [harness.binary("agentbus"), "--agents", "28", "--rate", RATE,
            "--duration", str(duration), "--fault-start", str(WARMUP),
            "--fault-duration", str(max(RAMPS) + TAIL), "--slow-ms", "20",
            "--fault", f"slow:{slow}", "--fault", f"restart:{restart}",
            "--seed", str(100 + r)]
    for agent, ramp in zip(degrading, RAMPS):
        args += ["--fault", f"degrade:{agent}:{ramp}"]
    if r % 2 == 0:
        args += ["--fault", "burst"]
    with tempfile.TemporaryDirectory(prefix="eval-prediction-") as tmp:
        truth_path = os.path.join(tmp, "truth.json")
        start = time.monotonic()
        bus = subprocess.Popen(args + ["--run-dir", tmp, "--truth", truth_path],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        samples = []
        while bus.poll() is None:
            t = time.monotonic() - start
            try:
                s = scores(url)
            except OSError:
                s = {}
            samples.append((t, s))
            trace.write(json.dumps({"round": r, "t": t, "scores": s}) + "\n")
            time.sleep(max(0.0, 1.0 - (time.monotonic() - start - t)))
        err = bus.stderr.read()
        if bus.returncode != 0 or not os.path.exists(truth_path):
            raise RuntimeError(f"agentbus failed ({bus.returncode}): {err[-500:]}")
        with open(truth_path) as f:
            truth = json.load(f)
    trace.write(json.dumps({"round": r, "degrade": truth["faults"]["degrade"]}) + "\n")
    return samples, truth, time.monotonic() - start


def alarms(series):
    """Times the score rose to >= ALARM (re-armed below REARM)."""
    out, armed = [], True
    for t, v in series:
        if armed and v >= ALARM:
            out.append(t)
            armed = False
        elif v < REARM:
            armed = True
    return out


def evaluate(samples, truth, names):
    """Per round: deaths [(name, crash, first_alarm)], false alarms, true alarms."""
    deaths = []
    windows = {}  # agent type -> (degrade start, crash): the process that is dying
    for d in truth["faults"]["degrade"]:
        crash = d["crash_seconds"]
        windows[d["name"]] = (d["start_seconds"], crash if crash is not None else 1e9)
    false_alarms, true_alarms = [], 0
    for kind in names:
        series = [(t, s[kind]) for t, s in samples if kind in s]
        window = windows.get(kind)
        for t, v in series:
            # A scrape up to a few seconds after a crash still shows the dead
            # process's last score (agentmon sees the exit at its next tick).
            if not window or t < window[0]:
                HEALTHY_MAX[0] = max(HEALTHY_MAX[0], v)
        for t in alarms(series):
            if window and window[0] <= t < window[1]:
                true_alarms += 1
            else:
                false_alarms.append((kind, t))
        if window:
            first = next((t for t, v in series if window[0] <= t < window[1] and v >= ALARM),
                         None)
            deaths.append((kind, window[1], first))
    return deaths, false_alarms, true_alarms


HEALTHY_MAX = [0.0]  # the highest score of an agent that never degraded, or before its ramp
BANDS = [(0.0, 0.1), (0.1, 0.5), (0.5, 0.8), (0.8, 1.01)]


def calibration(samples, truth):
    """[(score, 1 if the agent crashed within HORIZON after it else 0)]."""
    crash = {d["name"]: d["crash_seconds"] for d in truth["faults"]["degrade"]
             if d["crash_seconds"] is not None}
    out = []
    for t, s in samples:
        for kind, v in s.items():
            c = crash.get(kind)
            out.append((v, 1 if c is not None and t < c <= t + HORIZON else 0))
    return out


def main():
    harness.require_bpf()
    with tempfile.TemporaryDirectory(prefix="eval-prediction-cfg-") as tmp:
        config = os.path.join(tmp, "agentmon.json")
        with open(config, "w") as f:
            json.dump({"analytics": {"prediction_horizon": f"{int(HORIZON)}s",
                                     "anomaly_warmup_points": 60}}, f)
        all_deaths, all_false, all_true, healthy_seconds, outcomes = [], [], 0, 0.0, []
        with harness.agentmon_running(config=config, tick="1s") as (url, _), \
                open(TRACE, "w") as trace:
            for r in range(ROUNDS):
                samples, truth, seconds = run_round(r, url, trace)
                names = sorted({k for _, s in samples for k in s})
                deaths, false_alarms, true_alarms = evaluate(samples, truth, names)
                outcomes += calibration(samples, truth)
                all_deaths += deaths
                all_false += false_alarms
                all_true += true_alarms
                healthy_seconds += seconds
                print(f"round {r}: {len(deaths)} deaths, leads "
                      f"{[round(c - a, 1) if a is not None else None for _, c, a in deaths]}, "
                      f"false alarms {false_alarms}", flush=True)
    leads = [c - a for _, c, a in all_deaths if a is not None and c < 1e9]
    crashed = [d for d in all_deaths if d[1] < 1e9]
    hit = [d for d in crashed if d[2] is not None and d[1] - d[2] >= LEAD_REQUIRED]
    hours_real = healthy_seconds / 3600
    hours = hours_real * COMPRESSION
    alarms_total = all_true + len(all_false)
    print(f"horizon {HORIZON:.0f} s (time compressed {COMPRESSION:.0f}x), {ROUNDS} rounds, "
          f"{len(crashed)} slow deaths")
    print(f"recall (>= {ALARM} at least {LEAD_REQUIRED:.0f} s before the crash): "
          f"{len(hit)}/{len(crashed)} = {100 * len(hit) / max(1, len(crashed)):.1f} %")
    if leads:
        print(f"lead time: median {statistics.median(leads):.1f} s, min {min(leads):.1f} s, "
              f"max {max(leads):.1f} s (x{COMPRESSION:.0f} = median "
              f"{statistics.median(leads) * COMPRESSION / 60:.1f} min at the 5 min horizon)")
    print(f"healthy and disturbed traffic: {hours_real * 60:.1f} min real = {hours:.2f} h "
          f"compressed; false alarms {len(all_false)}: {len(all_false) / hours:.2f} per "
          f"compressed hour, {len(all_false) / hours_real:.2f} per real hour")
    print(f"highest score of an agent not (yet) degrading: {HEALTHY_MAX[0]:.3f}")
    print(f"precision: {all_true}/{alarms_total} = "
          f"{100 * all_true / max(1, alarms_total):.1f} % of alarms on a dying process")
    print(f"calibration over {len(outcomes)} scores (outcome: the agent crashes within "
          f"{HORIZON:.0f} s):")
    for lo, hi in BANDS:
        band = [(v, y) for v, y in outcomes if lo <= v < hi]
        if band:
            print(f"  score {lo:.1f}-{min(hi, 1):.1f}: {len(band):6d} scores, mean "
                  f"{sum(v for v, _ in band) / len(band):.3f}, crashed within the horizon "
                  f"{sum(y for _, y in band) / len(band):.3f}")
    brier = sum((v - y) ** 2 for v, y in outcomes) / max(1, len(outcomes))
    print(f"  Brier score {brier:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
