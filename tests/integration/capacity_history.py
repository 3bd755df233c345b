"""A week of generated agentmon history in a real Prometheus, for the capacity
command's test and scripts/eval-forecast.py.

history_openmetrics() writes OpenMetrics text with one sample a minute;
promtool turns it into TSDB blocks and prometheus_with_blocks() serves them
from a throwaway directory on loopback.
"""

import contextlib
import math
import os
import random
import subprocess
import tempfile

import harness

MINUTE = 60
DAY = 86400


def history_openmetrics(end, families, days=7, seed=1):
    """families: [(name, labels, kind, fn(seconds since the start) -> rate or value)].
    kind "counter" integrates the rate (per-minute noise 2 %), "gauge" samples it."""
    rng = random.Random(seed)
    lines = []
    start = end - days * DAY
    for name, labels, kind, fn in families:
        lines.append(f"# TYPE {name.removesuffix('_total') if kind == 'counter' else name} {kind}")
        total = 0.0
        label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
        for t in range(start, end + 1, MINUTE):
            value = fn(t - start)
            if kind == "counter":
                total += max(0.0, value * MINUTE * (1 + rng.gauss(0, 0.02)))
                value = total
            lines.append(f"{name}{{{label_text}}} {value:.6f} {t}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def wave(t, amplitude, period=DAY):
    return amplitude * math.sin(2 * math.pi * t / period)


@contextlib.contextmanager
def prometheus_with_blocks(openmetrics_text):
    """Yields the base URL of a Prometheus serving the text's samples."""
    promtool = harness.tool("promtool", "prometheus")
    prometheus = harness.tool("prometheus", "prometheus")
    with tempfile.TemporaryDirectory(prefix="agentmon-capacity-") as tmp:
        path = os.path.join(tmp, "history.om")
        with open(path, "w") as f:
            f.write(openmetrics_text)
        data = os.path.join(tmp, "data")
        out = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", path, data],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("promtool create-blocks-from failed: " + out.stderr[-800:])
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1m\n")
        port = harness.free_port()
        args = [prometheus, f"--config.file={config}", f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=30d"]
        url = f"http://127.0.0.1:{port}"
        with harness.background(args) as proc:
            ready = harness.wait_for(lambda: harness.http_get(url + "/-/ready")[0] == 200, timeout=60)
            if not ready:
                raise RuntimeError("prometheus did not become ready: " + (proc.poll() and proc.stderr.read() or ""))
            yield url
