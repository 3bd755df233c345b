"""Live-kernel test of the analytics collector: failure prediction, anomaly
scores, bottlenecks, utilisation and agent errors on the real bus.

Trigger: agentbus with 28 agents at 2000 frames/s for 80 s; from 25 s one agent
degrades over 45 s (--fault degrade: slower replies, ERROR replies, a filling
queue, growing memory) and crashes with SIGABRT. agentmon runs with a 30 s
prediction horizon (the default 5 minutes compressed tenfold, so the test
stays near 90 s).
Expects: the degrading agent's failure_prediction_score reaches 0.8 before its
crash while every other agent stays under 0.5; anomaly_detection_score for the
five signals of each agent and the system score; performance_bottlenecks,
capacity_utilization_ratio, system_cpu_utilization_ratio,
system_memory_usage_bytes and agent_errors_total present, the degrading agent's
error_reply count grown.
"""

import json
import os
import subprocess
import tempfile
import time

import harness

harness.require_bpf()
checks = harness.Checks()

DEGRADING = 5  # agent id
RAMP, START, DURATION = 45, 25, 80
STEADY = 60  # seconds: warm (20 points) and before the crash at START + RAMP


def by(samples, name, key):
    return {labels.get(key): value for n, labels, value in samples if n == name}


with tempfile.TemporaryDirectory(prefix="live-prediction-") as tmp:
    config = os.path.join(tmp, "agentmon.json")
    with open(config, "w") as f:
        json.dump({"analytics": {"prediction_horizon": "30s", "anomaly_warmup_points": 20,
                                 "expected_throughput_mps": 2000}}, f)
    truth_path = os.path.join(tmp, "truth.json")
    with harness.agentmon_running(config=config, tick="1s") as (url, _):
        bus = subprocess.Popen(
            [harness.binary("agentbus"), "--agents", "28", "--rate", "2000", "--duration",
             str(DURATION), "--fault-start", str(START), "--fault", f"degrade:{DEGRADING}:{RAMP}",
             "--run-dir", tmp, "--truth", truth_path],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        start = time.monotonic()
        trace, last, steady = [], [], None
        while bus.poll() is None:
            t = time.monotonic() - start
            last = harness.scrape(url)
            # One scrape in full traffic, past the detectors' warm-up and before the
            # crash: the bus's last seconds wind its agents down (no frames sent, so
            # no error ratio and no throughput), which the last scrape may catch.
            if steady is None and t >= STEADY:
                steady = last
            trace.append((t, by(last, "failure_prediction_score", "agent_type")))
            time.sleep(max(0.0, 1.0 - (time.monotonic() - start - t)))
        err = bus.stderr.read()
    with open(truth_path) as f:
        truth = json.load(f)

degrade = truth["faults"]["degrade"][0]
name, crash = degrade["name"], degrade["crash_seconds"]
checks.check(bus.returncode == 0 and crash is not None, "the degrading agent crashed", err[-300:])
crash = crash if crash is not None else DURATION
first = next((t for t, s in trace if s.get(name, 0) >= 0.8 and t < crash), None)
print(f"     {name} crashed at {crash:.1f} s; score first >= 0.8 at "
      f"{first if first is None else round(first, 1)} s")
checks.check(first is not None and first < crash, f"{name}'s score crossed 0.8 before its crash")
others = [(v, k, round(t)) for t, s in trace for k, v in s.items() if k != name]
worst = max(others, default=(0, None, None))
print(f"     highest score of another agent: {worst[0]:.3f} ({worst[1]} at {worst[2]} s)")
checks.check(others and worst[0] < 0.5, "every other agent stayed under 0.5")
checks.check(len({k for _, s in trace for k in s}) >= 27, "a score for every agent")

# The steady scrape for the per-tick families; the last one for the counters.
steady = steady or last
signals = {(labels.get("agent_type"), labels.get("signal")) for n, labels, _ in steady
           if n == "anomaly_detection_score"}
checks.check({s for _, s in signals} >= {"message_rate", "error_ratio", "latency_p99",
                                         "queue_depth", "cpu", "system"},
             "anomaly_detection_score has the five agent signals and the system score",
             str(sorted({s for _, s in signals})))
checks.check(len({k for k, _ in signals}) >= 27, "anomaly scores for every agent")
resources = {labels.get("resource") for n, labels, _ in steady if n == "performance_bottlenecks"}
checks.check({"queue", "cpu", "run_queue"} <= resources, "performance_bottlenecks by resource",
             str(resources))
capacity = by(steady, "capacity_utilization_ratio", "resource")
checks.check({"cpu", "memory", "bus_throughput"} <= set(capacity),
             "capacity_utilization_ratio for cpu, memory and bus throughput", str(capacity))
checks.check(0 < capacity.get("bus_throughput", 0) < 5, "bus throughput near the expected 2000/s",
             str(capacity.get("bus_throughput")))
checks.check(harness.metric_sum(last, "system_memory_usage_bytes") > 0, "system memory in use")
checks.check(any(n == "system_cpu_utilization_ratio" for n, _, _ in last), "system CPU ratio")
errors = harness.metric_sum(last, "agent_errors_total", agent_type=name, error_type="error_reply")
checks.check(errors > 0, f"agent_errors_total counts {name}'s ERROR replies", str(errors))
checks.finish()
