"""Live-kernel tests of tracing (docs/tracing.md): spans of sampled requests, made
in the kernel, exported over OTLP/HTTP and decoded by the OpenTelemetry project's
own protobuf definitions (tests/tracing/receiver.mjs, npm packages pinned in
tests/tracing/package-lock.json).

Triggers: agentbus on unix stream with 4 agents; agentmon at sample_ratio 0.05
and 1.0; --fault slow (5 ms replies) on one agent; --trace-context (TASK chains);
the receiver stopped for 10 s under load. Expects: the span count within
statistical tolerance of 2 x ratio x replies; slow replies' spans last 5 ms
within 10 %; client and server spans of one request share a trace; a TASK sent
while handling a TASK is the child of its server span; while the receiver is down
ticks go on, memory stays bounded and drops are counted, and export resumes.
"""

import contextlib
import json
import math
import os
import socket
import statistics
import tempfile
import time

import harness

harness.require_bpf()
checks = harness.Checks()
node = harness.tool("node", "nodejs")
receiver_dir = harness.source_path("tests", "tracing")
if not os.path.isdir(os.path.join(receiver_dir, "node_modules", "@opentelemetry")):
    checks.check(False, "tests/tracing/node_modules is installed",
                 "run scripts/install-deps.sh --with-tests (npm ci in tests/tracing)")
    checks.finish()

tmp = tempfile.mkdtemp(prefix="agentmon-tracing-")
port = harness.free_port()
endpoint = f"http://127.0.0.1:{port}/v1/traces"


def listening():
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


@contextlib.contextmanager
def receiver(output):
    with harness.background([node, os.path.join(receiver_dir, "receiver.mjs"), str(port), output],
                            cwd=receiver_dir) as proc:
        if not harness.wait_for(listening, timeout=15):
            raise RuntimeError("the OTLP receiver did not start: " + proc.stderr.read()[-1000:])
        yield proc


def read_spans(output):
    if not os.path.exists(output):
        return []
    with open(output) as f:
        return [json.loads(line) for line in f if line.strip()]


def settled_spans(output, quiet=1.5, timeout=20):
    """Spans once no new one has arrived for `quiet` seconds."""
    last, since, deadline = -1, time.time(), time.time() + timeout
    while time.time() < deadline:
        n = len(read_spans(output))
        if n != last:
            last, since = n, time.time()
        elif time.time() - since >= quiet:
            break
        time.sleep(0.2)
    return read_spans(output)


def config(name, **tracing):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump({"tracing": {"endpoint": endpoint, **tracing}}, f)
    return path


def duration_ms(span):
    return (int(span["endNs"]) - int(span["startNs"])) / 1e6


def metric(url, name, **labels):
    return harness.metric_sum(harness.scrape(url), name, **labels)


# ---- 1. the span count follows the sampling ratio ----
ratio = 0.05
out1 = os.path.join(tmp, "ratio.jsonl")
with receiver(out1), harness.agentmon_running(config=config("ratio.json", sample_ratio=ratio)) as (url, _):
    code, truth, err = harness.run_agentbus(["--carrier", "unix", "--agents", "4", "--messages", "60000"])
    checks.check(code == 0 and truth is not None, "agentbus ran (sampling)", err[-500:])
    spans = settled_spans(out1)
    replies = truth["replies"] if truth else 0
    expected = ratio * replies
    tolerance = 4 * math.sqrt(replies * ratio * (1 - ratio)) + 2
    for kind in ("SPAN_KIND_CLIENT", "SPAN_KIND_SERVER"):
        n = sum(1 for s in spans if s["kind"] == kind)
        checks.check(abs(n - expected) <= tolerance,
                     f"{kind} spans at ratio {ratio}: {n} within {tolerance:.0f} of {expected:.0f} "
                     f"({replies} replies)")
    exported = metric(url, "agentmon_spans_exported_total")
    checks.equal(int(exported), len(spans), "agentmon_spans_exported_total counts the spans received")
    first = next((s for s in spans if s["kind"] == "SPAN_KIND_CLIENT"), None)
    if first:
        a = first["attributes"]
        checks.check(all(k in a for k in ("agen.source_agent", "agen.target_agent", "agen.msg_type",
                                            "agen.priority", "agen.carrier", "agen.request_bytes",
                                            "agen.reply_bytes")), "spans carry the documented attributes", a)
        checks.equal(a["agen.carrier"], "unix", "carrier attribute")
        checks.equal(a["agen.request_bytes"], 168 + 64, "request size attribute (header + 64-byte payload)")

# ---- 2. durations, shared traces and TASK chains at 100 % ----
out2 = os.path.join(tmp, "full.jsonl")
with receiver(out2), harness.agentmon_running(config=config("full.json", sample_ratio=1.0)) as (url, _):
    code, truth, err = harness.run_agentbus(
        ["--carrier", "unix", "--agents", "4", "--rate", "1500", "--duration", "3", "--fault", "slow:2",
         "--fault-start", "0", "--fault-duration", "60", "--trace-context"])
    checks.check(code == 0 and truth is not None, "agentbus ran (slow agent, trace context)", err[-500:])
    spans = settled_spans(out2)
    slow_name = truth["agents"][1]["name"] if truth else "?"
    slow_ms = truth["faults"]["slow_ms"] if truth else 5.0
    for kind in ("SPAN_KIND_SERVER", "SPAN_KIND_CLIENT"):
        to_slow = [duration_ms(s) for s in spans
                   if s["kind"] == kind and s["attributes"]["agen.target_agent"] == slow_name]
        median = statistics.median(to_slow) if to_slow else 0
        checks.check(to_slow and abs(median - slow_ms) <= 0.1 * slow_ms,
                     f"{kind} spans of the slow agent's requests: median {median:.3f} ms within 10 % of "
                     f"{slow_ms} ms ({len(to_slow)} spans)")
    clients = {(s["traceId"], s["spanId"]): s for s in spans if s["kind"] == "SPAN_KIND_CLIENT"}
    servers = [s for s in spans if s["kind"] == "SPAN_KIND_SERVER"]
    paired = sum(1 for s in servers if (s["traceId"], s["parentSpanId"]) in clients)
    checks.check(servers and paired >= 0.99 * len(servers),
                 f"server spans are children of their request's client span in the same trace "
                 f"({paired} of {len(servers)})")
    server_ids = {s["spanId"]: s for s in servers}
    chained = [s for s in clients.values() if s["parentSpanId"] in server_ids]
    consistent = all(server_ids[s["parentSpanId"]]["traceId"] == s["traceId"] for s in chained)
    checks.check(len(chained) > 0 and consistent,
                 f"TASKs sent while handling a TASK are children of its server span, same trace "
                 f"({len(chained)} links)")
    checks.check(all(s["name"] == "TASK" for s in chained), "the chained requests are TASKs")

# ---- 3. the receiver down for 10 s under load ----
out3 = os.path.join(tmp, "down.jsonl")
with harness.agentmon_running(config=config("down.json", sample_ratio=1.0, queue_spans=2000)) as (url, _):
    with receiver(out3):
        harness.run_agentbus(["--carrier", "unix", "--agents", "4", "--messages", "2000"])
        checks.check(bool(settled_spans(out3)), "spans arrive before the receiver stops")
    samples = harness.scrape(url)
    ticks0 = harness.metric_sum(samples, "agentmon_collections_total")
    rss0 = harness.metric_sum(samples, "agentmon_process_resident_memory_bytes")
    started = time.time()
    code, truth, err = harness.run_agentbus(["--carrier", "unix", "--agents", "4", "--rate", "8000",
                                             "--duration", "10"])
    elapsed = time.time() - started
    scrape_started = time.time()
    samples = harness.scrape(url)
    scrape_seconds = time.time() - scrape_started
    ticks = harness.metric_sum(samples, "agentmon_collections_total") - ticks0
    rss = harness.metric_sum(samples, "agentmon_process_resident_memory_bytes")
    dropped = (harness.metric_sum(samples, "agentmon_spans_dropped_total", reason="queue_full") +
               harness.metric_sum(samples, "agentmon_spans_dropped_total", reason="export_failed"))
    checks.check(ticks >= 0.8 * elapsed / 0.2,
                 f"ticks go on while the receiver is down: {ticks:.0f} in {elapsed:.1f} s at 200 ms")
    checks.check(scrape_seconds < 1.0, f"/metrics answers at once ({scrape_seconds:.3f} s)")
    checks.check(dropped > 0, f"spans that could not be queued or sent are counted ({dropped:.0f})")
    checks.check(rss - rss0 < 32 * 2**20, f"memory stays bounded: RSS {rss0 / 2**20:.1f} -> {rss / 2**20:.1f} MiB")
    with receiver(out3):
        before = len(read_spans(out3))
        harness.run_agentbus(["--carrier", "unix", "--agents", "4", "--messages", "2000"])
        checks.check(harness.wait_for(lambda: len(read_spans(out3)) > before, timeout=20),
                     "export resumes when the receiver is back")

checks.finish()
