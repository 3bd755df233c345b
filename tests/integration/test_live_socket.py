"""Live-kernel tests of the socket path: agentmon observes agentbus and its counts
must equal the bus's ground truth exactly, per carrier and write pattern.

Triggers: agentbus runs on unix, dgram and tcp with --batch 1, --batch 64 and
--split; with --fault malformed; a non-agent process sending valid frames; a real
Prometheus server scraping agentmon. Expects: zero difference in frames and bytes
in both directions; malformed input counted and counting resumed; the intruder
not counted; PromQL rate() through Prometheus near the bus's rate; promtool clean.
"""

import os
import shutil
import socket
import struct
import tempfile
import time

import harness
import socket_exactness
from socket_exactness import settled

harness.require_bpf()
checks = harness.Checks()


def agen_frame(source, target, msg_type=1, payload=b"x" * 64):
    header = struct.pack("<IHHIIQQII", 0x4147454E, 1, 0, msg_type, 2, time.monotonic_ns(), 1,
                         source, 1)
    header += struct.pack("<16I", target, *([0] * 15))
    header += struct.pack("<II", len(payload), 0) + bytes(56)
    assert len(header) == 168
    return header + payload


with harness.agentmon_running() as (url, _):
    socket_exactness.check_exact(checks, url)

    # Malformed input: counted as such, and every real frame still counted.
    malformed_before = harness.metric_sum(settled(url), "agentmon_decoder_events_total",
                                          event="MALFORMED")
    got, truth = socket_exactness.run_and_diff(
        checks, url, "unix",
        ["--agents", "4", "--messages", "20000", "--fault", "malformed", "--fault-start", "0",
         "--split"])
    if got is not None:
        malformed = harness.metric_sum(harness.scrape(url), "agentmon_decoder_events_total",
                                       event="MALFORMED") - malformed_before
        checks.check(truth["faults"]["malformed"]["events"] > 0, "malformed: the bus injected garbage")
        checks.check(malformed > 0, "malformed: agentmon counted MALFORMED events", f"{malformed}")
        checks.equal(got["received"], truth["by_carrier"]["unix"]["received"],
                     "malformed: every valid frame received is still counted")
        checks.equal(got["sent"], truth["by_carrier"]["unix"]["sent"],
                     "malformed: every valid frame sent is still counted")

    # A process that is not an agent sending the same bytes is not agent traffic.
    before = harness.transport_totals(settled(url), "unix")
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    frame = agen_frame(1, 2)
    for _ in range(500):
        a.sendall(frame)
        b.recv(len(frame), socket.MSG_WAITALL)
    a.close()
    b.close()
    after = harness.transport_totals(settled(url), "unix")
    checks.equal(after["sent"] - before["sent"], 0, "non-agent process: no frames counted as sent")
    checks.equal(after["received"] - before["received"], 0,
                 "non-agent process: no frames counted as received")

    # promtool's linter on the live exposition.
    if not harness.promtool_lint(url, checks):
        checks.check(False, "promtool installed (Debian package prometheus)")

    # A real Prometheus server scrapes agentmon; PromQL sees the bus's rate.
    prometheus = shutil.which("prometheus")
    checks.check(prometheus is not None, "prometheus server installed")
    if prometheus:
        with tempfile.TemporaryDirectory(prefix="agentmon-prom-") as tmp:
            port = harness.free_port()
            target = url.removeprefix("http://")
            with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
                f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        "scrape_configs:\n  - job_name: agentmon\n"
                        f"    static_configs:\n      - targets: ['{target}']\n")
            args = [prometheus, f"--config.file={tmp}/prometheus.yml",
                    f"--storage.tsdb.path={tmp}/data", f"--web.listen-address=127.0.0.1:{port}"]
            with harness.background(args):
                api = f"http://127.0.0.1:{port}/api/v1/query?query="
                checks.check(harness.wait_for(lambda: harness.http_get(
                    f"http://127.0.0.1:{port}/-/ready")[0] == 200, timeout=30),
                    "prometheus became ready")
                query = ('sum(rate(agent_transport_messages_total{carrier="unix",'
                         'direction="received"}[10s]))')
                with harness.background([harness.binary("agentbus"), "--agents", "4",
                                         "--carrier", "unix", "--rate", "2000",
                                         "--duration", "25"]):
                    import json
                    import urllib.parse

                    def rate():
                        status, body = harness.http_get(api + urllib.parse.quote(query))
                        result = json.loads(body)["data"]["result"]
                        return float(result[0]["value"][1]) if result else 0.0

                    time.sleep(14)
                    value = harness.wait_for(lambda: 1700 < rate() < 2300 and rate(), timeout=8)
                    checks.check(value, "PromQL rate of received unix frames is the bus's 2000/s",
                                 f"last value {rate():.1f}")

checks.finish()
