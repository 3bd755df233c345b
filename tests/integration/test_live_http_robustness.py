#!/usr/bin/env python3
"""agentmon's HTTP port under hostile clients: scrapes still succeed while 4, 50 and 200
slowloris clients (headers one line a second, reconnecting when dropped) and 2 000
idle connections (connected, silent) are open. Also HEAD, the exporter-toolkit
flags and an IPv6 listener.
Prints "served/attempted" per scenario; every scrape must be served within
Prometheus's default 10 s scrape timeout."""

import contextlib
import os
import resource
import socket
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

SCRAPE_TIMEOUT = 10.0  # Prometheus's default scrape_timeout
SCRAPES = 12
SCRAPE_GAP = 0.5


def scrape_ok(url):
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=SCRAPE_TIMEOUT) as response:
            return response.status == 200 and b"agentmon_build_info" in response.read()
    except Exception:  # a timeout, a reset or a refused connection is a failed scrape
        return False


def scrape_series(url):
    served = 0
    for _ in range(SCRAPES):
        served += scrape_ok(url)
        time.sleep(SCRAPE_GAP)
    return served


@contextlib.contextmanager
def slowloris(port, count):
    """`count` clients that each send a request line and then one header line a second,
    never finishing; a dropped one reconnects at once."""
    stop = threading.Event()

    def connect():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        return s

    def run():
        sockets = []
        while not stop.is_set():
            while len(sockets) < count and not stop.is_set():
                with contextlib.suppress(OSError):
                    sockets.append(connect())
            for i, s in enumerate(sockets):
                try:
                    s.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    s.close()
                    sockets[i] = None
            sockets = [s for s in sockets if s is not None]
            stop.wait(1.0)
        for s in sockets:
            s.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(1.5)  # let them take their workers first
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


@contextlib.contextmanager
def idle_connections(port, count):
    """`count` connections that complete the handshake and never send a byte."""
    sockets = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            s.connect(("127.0.0.1", port))
        sockets.append(s)
    time.sleep(1.5)
    try:
        yield
    finally:
        for s in sockets:
            s.close()


def head(url):
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), response.headers.get("Content-Length")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Length")


def main():
    harness.require_bpf()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    checks = harness.Checks()

    with harness.agentmon_running() as (url, _proc):
        port = int(url.rsplit(":", 1)[1])
        status, body, length = head(url + "/metrics")
        checks.equal(status, 200, "HEAD /metrics answers 200")
        checks.check(body == b"" and length and int(length) > 0,
                     "HEAD /metrics sends a Content-Length and no body", f"{length} {body[:80]}")
        checks.equal(head(url + "/healthz")[0], 200, "HEAD /healthz answers 200")
        checks.equal(head(url + "/nowhere")[0], 404, "HEAD /nowhere answers 404")

        samples = harness.scrape(url)
        for family in ("process_cpu_seconds_total", "process_resident_memory_bytes",
                       "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                       "process_start_time_seconds"):
            checks.check(harness.metric_sum(samples, family) > 0,
                         f"/metrics has the standard {family}")
        start = harness.metric_sum(samples, "process_start_time_seconds")
        checks.check(abs(time.time() - start) < 120, "process_start_time_seconds is recent",
                     str(start))

        scenarios = [("no attack", contextlib.nullcontext()),
                     ("4 slowloris", slowloris(port, 4)),
                     ("50 slowloris", slowloris(port, 50)),
                     # More than civetweb's 64 workers ever were: no thread per connection now.
                     ("200 slowloris", slowloris(port, 200)),
                     ("2000 idle connections", idle_connections(port, 2000))]
        for name, attack in scenarios:
            started = time.monotonic()
            with attack:
                served = scrape_series(url)
            elapsed = time.monotonic() - started
            print(f"  {name}: {served}/{SCRAPES} scrapes served ({elapsed:.1f}s)", flush=True)
            checks.equal(served, SCRAPES, f"every scrape is served under {name}")
        checks.check(scrape_ok(url), "a scrape right after the idle connections close works")

    # The exporter-toolkit flags: two addresses, one custom metrics path.
    p1, p2 = harness.free_port(), harness.free_port()
    args = [harness.binary("agentmon"), "run", "--tick", "200ms",
            "--web.listen-address", f"127.0.0.1:{p1}", "--web.listen-address", f"127.0.0.1:{p2}",
            "--web.telemetry-path", "/probe"]
    with harness.background(args) as proc:
        urls = [f"http://127.0.0.1:{p}" for p in (p1, p2)]
        ready = harness.wait_for(lambda: all(harness.http_get(u + "/readyz")[0] == 200
                                             for u in urls), 30)
        checks.check(ready, "both --web.listen-address addresses serve /readyz")
        for u in urls:
            status, body = harness.http_get(u + "/probe")
            checks.check(status == 200 and "agentmon_build_info" in body,
                         f"--web.telemetry-path /probe serves metrics on {u}", str(status))
        checks.equal(harness.http_get(urls[0] + "/metrics")[0], 404,
                     "/metrics is 404 when the telemetry path is /probe")

    # IPv6: [::1] serves like 127.0.0.1, and HEAD works there too.
    port = harness.free_port()
    args = [harness.binary("agentmon"), "run", "--web.listen-address", f"[::1]:{port}",
            "--tick", "200ms"]
    with harness.background(args) as proc:
        url6 = f"http://[::1]:{port}"
        ready = harness.wait_for(lambda: proc.poll() is not None or
                                 harness.http_get(url6 + "/readyz")[0] == 200, 30)
        checks.check(ready and proc.poll() is None, "agentmon serves on [::1]",
                     "" if proc.poll() is None else proc.stderr.read()[-500:])
        checks.check(scrape_ok(url6), "a scrape over IPv6 ([::1]) works")
        checks.equal(head(url6 + "/metrics")[0], 200, "HEAD /metrics over IPv6 answers 200")

    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
