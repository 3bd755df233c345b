"""The monitoring stack end to end, on loopback: the shipped Prometheus config and
rules and the shipped Alertmanager config (ports, paths and two `for:` durations
rewritten for the test), the real agentmon, agentbus with an injected fault and
a small webhook receiver standing in for the pager.

Triggers: agentbus sends garbage between frames (--fault malformed); later
agentmon is stopped. Expects: TransportErrorRatioHigh reaches the pager webhook
within 90 s of the fault's start, with its labels (severity, component, the
cluster external label); every dashboard panel query runs against this
Prometheus and those on metrics that exist today return data; after agentmon
stops, AgentmonDown pages and Alertmanager marks the error-ratio alert as
inhibited by it.
"""

import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import time
import urllib.parse

import dashboard_queries as dq
import harness

harness.require_bpf()
checks = harness.Checks()
prometheus = harness.tool("prometheus", "prometheus")
alertmanager = harness.tool("prometheus-alertmanager", "prometheus-alertmanager")
DEADLINE = 90  # seconds from the fault's start to the page


class Receiver(http.server.BaseHTTPRequestHandler):
    """Alertmanager's webhook: records (arrival time, path, alert) per alert."""
    received = []
    lock = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            for alert in body.get("alerts", []):
                self.received.append((time.monotonic(), self.path, alert))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def arrived(alertname, path, status="firing"):
    with Receiver.lock:
        for at, where, alert in Receiver.received:
            if where == path and alert["labels"].get("alertname") == alertname and alert["status"] == status:
                return at, alert
    return None


def rewrite(path, replacements):
    """Applies (pattern, replacement) regex pairs to a file; each must match, so a
    change in the shipped file that the test no longer fits fails loudly."""
    with open(path) as f:
        text = f.read()
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        checks.check(count > 0, f"test override applies to {os.path.basename(path)}: {pattern}")
    with open(path, "w") as f:
        f.write(text)


def shorten_for(alertname, duration):
    """The `for:` of one alert rule (the next `for:` after its `- alert:` line)."""
    return (rf"(?s)(- alert: {alertname}\n(?:(?!\n      - ).)*?\n\s+for: )\S+", rf"\g<1>{duration}")


def query(api, expr):
    status, body = harness.http_get(f"{api}/api/v1/query?query={urllib.parse.quote(expr)}")
    doc = json.loads(body)
    return status, doc.get("status"), doc.get("data", {}).get("result", []), doc.get("error", "")


def label_values(api, definition):
    """First value of a Grafana label_values(metric, label) variable, or .* when none."""
    match = re.match(r"label_values\((.*),\s*(\w+)\)$", definition.strip())
    if not match:
        return ".*"
    selector, label = match.groups()
    selector = dq.substitute(selector, {"agent_type": ".*"})
    url = f"{api}/api/v1/label/{label}/values?match[]={urllib.parse.quote(selector)}"
    values = json.loads(harness.http_get(url)[1]).get("data", [])
    return values[0] if values else ".*"


def check_panels(api):
    total = with_data = pending = 0
    for name, board in dq.dashboards():
        values = dict(dq.BUILTINS)
        for var, spec in dq.variables(board).items():
            if spec.get("type") == "query":
                values[var] = label_values(api, spec.get("definition", ""))
        for title, ref, expr in dq.queries(board):
            total += 1
            promql = dq.substitute(expr, values)
            status, state, result, error = query(api, promql)
            what = f"{board['uid']}: '{title}' [{ref}]"
            if not checks.check(status == 200 and state == "success", f"{what} runs", error or promql):
                continue
            if dq.is_pending(expr):
                pending += 1
                continue
            with_data += bool(result)
            checks.check(bool(result), f"{what} returns data", promql)
    print(f"{total} panel queries ran; {with_data} returned data; {pending} read pending metrics")


def main():
    with harness.agentmon_running(tick="200ms") as (agentmon_url, agentmon), \
            tempfile.TemporaryDirectory(prefix="agentmon-stack-") as tmp:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        hook = f"http://127.0.0.1:{server.server_address[1]}"
        prom_port, am_port = harness.free_port(), harness.free_port()

        shutil.copytree(harness.source_path("deploy", "prometheus"), f"{tmp}/prometheus")
        shutil.copy(harness.source_path("deploy", "alertmanager", "alertmanager.yml"), tmp)
        target = agentmon_url.removeprefix("http://")
        rewrite(f"{tmp}/prometheus/prometheus.yml", [
            (r"localhost:9465", target), (r"localhost:9093", f"127.0.0.1:{am_port}"),
            (r"localhost:9090", f"127.0.0.1:{prom_port}"),
            (r"(scrape|evaluation)_interval: \d+s", r"\g<1>_interval: 1s")])
        rewrite(f"{tmp}/prometheus/rules/transport.yml", [shorten_for("TransportErrorRatioHigh", "5s")])
        rewrite(f"{tmp}/prometheus/rules/collector.yml", [shorten_for("AgentmonDown", "5s")])
        rewrite(f"{tmp}/alertmanager.yml", [(r"http://localhost:5001", hook)])

        prom_args = [prometheus, f"--config.file={tmp}/prometheus/prometheus.yml",
                     f"--storage.tsdb.path={tmp}/prom-data", f"--web.listen-address=127.0.0.1:{prom_port}"]
        am_args = [alertmanager, f"--config.file={tmp}/alertmanager.yml", f"--storage.path={tmp}/am-data",
                   f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="]
        api, am_api = f"http://127.0.0.1:{prom_port}", f"http://127.0.0.1:{am_port}"
        with harness.background(am_args), harness.background(prom_args):
            ready = lambda url: harness.http_get(url + "/-/ready")[0] == 200  # noqa: E731
            checks.check(harness.wait_for(lambda: ready(am_api), timeout=30), "alertmanager became ready")
            checks.check(harness.wait_for(lambda: ready(api), timeout=30), "prometheus became ready")

            fault_start = 5.0
            # unix carries the fault; ring gives the ring panels and rules their data.
            bus = [harness.binary("agentbus"), "--agents", "4", "--carrier", "unix,ring", "--rate", "2000",
                   "--duration", "150", "--fault", "malformed", "--fault-start", str(fault_start),
                   "--fault-duration", "140"]
            with harness.background(bus):
                t_fault = time.monotonic() + fault_start
                got = harness.wait_for(lambda: arrived("TransportErrorRatioHigh", "/pager"),
                                       timeout=fault_start + DEADLINE, interval=0.2)
                if checks.check(got is not None, f"TransportErrorRatioHigh reached the pager within {DEADLINE} s"):
                    at, alert = got
                    print(f"delivery time: {at - t_fault:.1f} s from the fault's start")
                    labels = alert["labels"]
                    checks.equal(labels.get("severity"), "critical", "alert label severity")
                    checks.equal(labels.get("component"), "transport", "alert label component")
                    checks.equal(labels.get("cluster"), "local", "alert label cluster (external label)")
                    checks.check(alert["annotations"].get("runbook_url", "").endswith("#transporterrorratiohigh"),
                                 "alert carries its runbook_url")
                    checks.check(arrived("TransportErrorRatioHigh", "/warnings") is None,
                                 "a critical alert does not go to the warnings webhook")

                check_panels(api)

                # Stop the collector: AgentmonDown pages and silences the bus alerts.
                agentmon.terminate()
                agentmon.wait(timeout=15)
                down = harness.wait_for(lambda: arrived("AgentmonDown", "/pager"), timeout=60, interval=0.2)
                checks.check(down is not None, "AgentmonDown reached the pager after agentmon stopped")

                def inhibited():
                    flt = urllib.parse.quote('alertname="TransportErrorRatioHigh"')
                    alerts = json.loads(harness.http_get(f"{am_api}/api/v2/alerts?filter={flt}")[1])
                    return any(a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"]
                               for a in alerts)
                checks.check(harness.wait_for(inhibited, timeout=20, interval=0.5),
                             "Alertmanager inhibits TransportErrorRatioHigh while AgentmonDown fires")
        server.shutdown()
    checks.finish()


main()
