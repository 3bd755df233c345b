"""Live-kernel tests of the socket path: agentmon observes agentbus and its counts
must equal the bus's ground truth exactly, per carrier and write pattern.

Triggers: agentbus runs on unix, dgram and tcp with --batch 1, --batch 64 and
--split; 56 agents (two of each type) on unix; with --fault malformed; a
non-agent process sending valid frames; a real Prometheus server scraping
agentmon. Expects: zero difference in frames and bytes in both directions;
agent_messages_processed_total{agent_id} equal to the bus's truth of each
agent's frames received (by first target), its instances summing to each type's; malformed input
counted and counting resumed; the intruder not counted; PromQL rate() through
Prometheus near the bus's rate; promtool clean.
"""

import os
import shutil
import socket
import struct
import tempfile
import time

import bpf_programs
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


def processed_by_agent(samples):
    """{(agent_type, agent_id): frames} of agent_messages_processed_total."""
    return {(labels.get("agent_type"), labels.get("agent_id")): value
            for name, labels, value in samples if name == "agent_messages_processed_total"}


def check_processed_by_agent(url):
    """Two instances of each type: agent_messages_processed_total{agent_id} grows by
    the bus's per-agent truth of frames received naming the agent first, and the
    instances of a type sum to what the type received."""
    before = processed_by_agent(settled(url))
    code, truth, err = harness.run_agentbus(
        ["--carrier", "unix", "--agents", "56", "--messages", "40000", "--batch", "8"])
    if code != 0 or truth is None:
        checks.check(False, "by agent_id: agentbus ran", err[-500:])
        return
    after = processed_by_agent(settled(url))
    grew = {key: value - before.get(key, 0) for key, value in after.items()}
    # agentmon counts a frame under its header's first target, as the transport
    # families' target_agent: the bus's received_as_first_target. The copies of a
    # BROADCAST to further targets make it differ from what each agent received.
    mismatched, by_type = [], {}
    for agent in truth["agents"]:
        got, want = grew.get((agent["type"], agent["name"])), agent["received_as_first_target"]
        by_type[agent["type"]] = by_type.get(agent["type"], 0) + want
        if got != want:
            mismatched.append(f"{agent['name']}: {got} != {want}")
    checks.check(not mismatched, "by agent_id: each of 56 agents' frames processed equal the "
                 "bus's frames received naming it first", "; ".join(mismatched[:8]))
    checks.equal(sum(a["received_as_first_target"] for a in truth["agents"]),
                 sum(a["received"] for a in truth["agents"]),
                 "by agent_id: the bus's two per-agent views hold the same frames")
    summed = {}
    for (agent_type, _), value in grew.items():
        summed[agent_type] = summed.get(agent_type, 0) + value
    checks.equal({t: v for t, v in summed.items() if v}, by_type,
                 "by agent_id: the instances of each type sum to what the type received")
    checks.equal(sum(summed.values()), truth["by_carrier"]["unix"]["received"],
                 "by agent_id: all instances sum to every frame received")
    checks.check(not any(agent_id == "overflow" and v for (_, agent_id), v in grew.items()),
                 "by agent_id: nothing counted by type only at 56 agents")


with harness.agentmon_running() as (url, _):
    bpf_programs.check_verifier_margin(checks, ["on_sock_send", "on_sock_recv"])
    socket_exactness.check_exact(checks, url)
    check_processed_by_agent(url)

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
