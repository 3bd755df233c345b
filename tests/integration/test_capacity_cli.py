"""agentmon capacity against a real Prometheus holding a generated week.

Triggers: a week of agent CPU, agent memory and received frames (one sample a
minute) backfilled with promtool into a Prometheus on loopback; agentmon
capacity over it; then a closed port, a server that is not Prometheus and bad
flags. Expects: CPU ramping to 87 % of 8 cores gives [HIGH] compute_cores
scale_up, immediate, to 12-14 cores (the ramp's p95 3 days on); memory idling at 25 % of 16 GiB
gives a LOW scale_down to 6-7 GiB; a seasonal bus load peaking at 43 % of one
instance gives no action; json carries the same fields; exit 1 with a clear
message when Prometheus is unreachable or answers something else, exit 2 on
bad flags.
"""

import http.server
import json
import subprocess
import threading
import time

import capacity_history as ch
import harness

checks = harness.Checks()
agentmon = harness.binary("agentmon")
end = int(time.time()) // 3600 * 3600 - 3600
GIB = 1024 ** 3

families = [
    # 8 cores: from 50 % a week ago to 87.3 % now, with a small daily wave.
    ("agent_cpu_seconds_total", {"agent_type": "MONITOR", "agent_id": "1"}, "counter",
     lambda t: 8 * (0.50 + 0.373 * t / (7 * ch.DAY)) + ch.wave(t, 0.1)),
    ("agent_resource_usage", {"agent_type": "MONITOR", "agent_id": "1", "resource": "memory"}, "gauge",
     lambda t: 4 * GIB),
    ("agent_transport_messages_total", {"carrier": "unix", "direction": "received"}, "counter",
     lambda t: 1.5e6 + ch.wave(t, 0.3e6)),
]


def capacity(url, *extra):
    cmd = [agentmon, "capacity", "--prometheus", url, "--end", str(end), "--cpu-cores", "8",
           "--memory-gib", "16"] + list(extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


with ch.prometheus_with_blocks(ch.history_openmetrics(end, families)) as url:
    out = capacity(url)
    checks.equal(out.returncode, 0, "capacity exits 0")
    print(out.stdout)
    lines = out.stdout.splitlines()
    checks.check(lines[:1] == ["SCALING RECOMMENDATIONS:"], "report header", out.stdout)
    checks.check("[HIGH] compute_cores: scale_up" in lines, "CPU: HIGH scale_up", out.stdout)
    checks.check("  Timeline: immediate" in lines, "CPU: immediate", out.stdout)
    cpu_at = lines.index("[HIGH] compute_cores: scale_up") if "[HIGH] compute_cores: scale_up" in lines else 0
    checks.check(lines[cpu_at + 2].startswith("  Reason: CPU utilization at 8"), "CPU reason names ~87 %",
                 lines[cpu_at + 2])
    checks.check("[LOW] memory_gib: scale_down" in lines, "memory: LOW scale_down", out.stdout)
    checks.check("bus_instances" not in out.stdout, "seasonal bus load under the headroom: no action")

    out = capacity(url, "--format", "json")
    checks.equal(out.returncode, 0, "json: exits 0")
    report = json.loads(out.stdout)
    by_component = {r["component"]: r for r in report["resources"]}
    cpu, mem, bus = by_component["compute_cores"], by_component["memory_gib"], by_component["bus_instances"]
    checks.equal([r["component"] for r in report["recommendations"]], ["compute_cores", "memory_gib"],
                 "json: the two actions, most urgent first")
    checks.equal(set(cpu) >= {"priority", "component", "action", "current", "target", "reason", "timeline"},
                 True, "json: the text report's fields")
    checks.equal(cpu["current"], 8, "CPU current: the 8 cores given")
    # The ramp goes on: in 3 days (the horizon) it reaches 103 %, so 8 * 1.03 / 0.7
    # = 11.8 cores plus the interval's margin.
    checks.check(12 <= cpu["target"] <= 14, "CPU target keeps the forecast p95 under 70 %", str(cpu))
    checks.equal(cpu["season_samples"], 288, "CPU: the faint daily wave under the ramp found")
    checks.check(abs(cpu["utilization_now"] - 0.873) < 0.05, "CPU utilisation read back through rate()",
                 str(cpu["utilization_now"]))
    checks.equal(cpu["source"], "sum(rate(agent_cpu_seconds_total[300s]))",
                 "CPU falls back to agent_cpu_seconds_total (no capacity gauges yet)")
    checks.check(6 <= mem["target"] <= 7, "memory target: 4 GiB under 70 %", str(mem))
    checks.equal(bus["action"], "none", "bus: no action")
    checks.equal(bus["season_samples"], 288, "bus: the daily season found (288 five-minute samples)")
    checks.check(0.40 < bus["forecast_p95_peak"] < 0.70, "bus: the p95 peak is the crest, under 70 %",
                 str(bus["forecast_p95_peak"]))

closed = f"http://127.0.0.1:{harness.free_port()}"
out = capacity(closed)
checks.equal(out.returncode, 1, "unreachable Prometheus: exit 1")
checks.check("cannot reach Prometheus at " + closed in out.stderr, "unreachable: says so", out.stderr)


class NotPrometheus(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(404)
        self.end_headers()
        self.wfile.write(b"no such page")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotPrometheus)
threading.Thread(target=server.serve_forever, daemon=True).start()
out = capacity(f"http://127.0.0.1:{server.server_address[1]}")
server.shutdown()
checks.equal(out.returncode, 1, "not a Prometheus: exit 1")
checks.check("answered HTTP 404" in out.stderr, "not a Prometheus: says what it answered", out.stderr)

out = subprocess.run([agentmon, "capacity", "--prometheus", "http://x", "--range", "7x"],
                     capture_output=True, text=True)
checks.equal(out.returncode, 2, "bad --range: exit 2")
out = subprocess.run([agentmon, "capacity"], capture_output=True, text=True)
checks.equal(out.returncode, 2, "no --prometheus: exit 2")
checks.finish()
