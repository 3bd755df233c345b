#!/usr/bin/env python3
"""Forecast error of agentmon's capacity model against Prometheus' own
forecasting functions, on generated series replayed into a real Prometheus.

Series (7 days, one point every 5 minutes, seeded noise):
  ramp         linear growth, 30 % over the week, 3 % noise
  accelerating quadratic growth (slow, then faster), 3 % noise
  seasonal     daily cycle of +-30 % on a slight trend, 3 % noise
  seasonal_step the daily cycle with a lasting 20 % step up on day 5
Forecast origins: every 6 hours from day 5 to day 6 (5 origins), horizons
1 h and 24 h. At each origin, each method sees only the points up to it:
  agentmon          `agentmon analyze forecast` on the CSV up to the origin
                    (ETS(A,Ad,A) fitted to the whole history, season detected)
  predict_linear    Prometheus' predict_linear(x[6h], 3600) for 1 h and
                    predict_linear(x[1d], 86400) for 24 h, evaluated at the origin
  holt_winters      Prometheus 2.42's holt_winters(x[6h], 0.3, 0.1) (later
                    double_exponential_smoothing): it returns the smoothed level,
                    so as a forecast it is that level, flat
Errors: MAPE (mean |error| / |actual|, %) and MASE (mean |error| over the
in-sample MAE of the one-day seasonal naive forecast, per origin; < 1 beats
"same as yesterday"). Needs promtool and prometheus (Debian's), no root, no
lock (it starts neither agentmon nor agentbus).
Usage: scripts/eval-forecast.py [--agentmon build/bin/agentmon]
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

# This script never starts agentmon or agentbus: a private lock, not the host's.
os.environ.setdefault("AGENTMON_TEST_LOCK",
                      os.path.join(tempfile.gettempdir(), f"eval-forecast-{os.getpid()}.lock"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import capacity_history  # noqa: E402
import harness  # noqa: E402

STEP = 300
DAY = 86400
DAYS = 7
HORIZONS = [3600, DAY]
ORIGINS_DAYS = [5.0, 5.25, 5.5, 5.75, 6.0]


def series_values(kind, n, rng):
    out = []
    for i in range(n):
        t = i * STEP
        days = t / DAY
        if kind == "ramp":
            v = 100 * (1 + 0.3 * days / DAYS)
        elif kind == "accelerating":
            v = 100 * (1 + 0.5 * (days / DAYS) ** 2)
        elif kind == "seasonal":
            v = 100 * (1 + 0.02 * days) * (1 + 0.3 * math.sin(2 * math.pi * t / DAY))
        else:  # seasonal_step
            v = 100 * (1 + 0.3 * math.sin(2 * math.pi * t / DAY)) * (1.2 if days >= 5 else 1)
        out.append(v * (1 + rng.gauss(0, 0.03)))
    return out


def query(url, expr, at):
    q = urllib.parse.urlencode({"query": expr, "time": f"{at:.3f}"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=30) as r:
        body = json.load(r)
    result = body["data"]["result"]
    return float(result[0]["value"][1]) if result else float("nan")


def agentmon_forecast(binary, start, values, horizon):
    with tempfile.TemporaryDirectory(prefix="eval-forecast-") as tmp:
        path, out = os.path.join(tmp, "in.csv"), os.path.join(tmp, "out.csv")
        with open(path, "w") as f:
            f.write("timestamp,value\n")
            for i, v in enumerate(values):
                stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + i * STEP))
                f.write(f"{stamp},{v:.6f}\n")
        subprocess.run([binary, "analyze", "forecast", "--input", path, "--output", out,
                        "--horizon", f"{max(HORIZONS)}s"], check=True)
        rows = {}
        with open(out) as f:
            next(f)
            for line in f:
                ahead, mean, _, _ = line.split(",")
                rows[round(float(ahead))] = float(mean)
    return {h: rows[h] for h in horizon}


def seasonal_naive_mae(history):
    lag = DAY // STEP
    diffs = [abs(history[i] - history[i - lag]) for i in range(lag, len(history))]
    return sum(diffs) / len(diffs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agentmon", default=os.path.join(harness.BIN_DIR, "agentmon"))
    args = parser.parse_args()
    rng = random.Random(42)
    n = DAYS * DAY // STEP + 1
    end = (int(time.time()) // DAY) * DAY - DAY  # whole days, ending in the past
    start = end - DAYS * DAY
    kinds = ["ramp", "accelerating", "seasonal", "seasonal_step"]
    data = {k: series_values(k, n, rng) for k in kinds}
    lines = ["# TYPE eval_series gauge"]
    for k in kinds:
        for i, v in enumerate(data[k]):
            lines.append(f'eval_series{{series="{k}"}} {v:.6f} {start + i * STEP}')
    lines.append("# EOF")
    errors = {}  # (kind, method, horizon) -> [(abs error, abs pct, scale)]
    with capacity_history.prometheus_with_blocks("\n".join(lines) + "\n") as url:
        harness.wait_for(lambda: not math.isnan(
            query(url, 'eval_series{series="ramp"}', start + DAY)), timeout=60)
        for k in kinds:
            for origin_day in ORIGINS_DAYS:
                i0 = int(origin_day * DAY / STEP)
                at = start + i0 * STEP
                history = data[k][:i0 + 1]
                scale = seasonal_naive_mae(history)
                ours = agentmon_forecast(args.agentmon, start, history, HORIZONS)
                sel = f'eval_series{{series="{k}"}}'
                for h in HORIZONS:
                    actual = data[k][i0 + h // STEP]
                    window = "6h" if h <= 3600 else "1d"
                    forecasts = {
                        "agentmon": ours[h],
                        "predict_linear": query(url, f"predict_linear({sel}[{window}], {h})", at),
                        "holt_winters": query(url, f"holt_winters({sel}[6h], 0.3, 0.1)", at),
                    }
                    for method, f in forecasts.items():
                        e = abs(f - actual)
                        errors.setdefault((k, method, h), []).append(
                            (e, 100 * e / abs(actual), e / scale))
    methods = ["agentmon", "predict_linear", "holt_winters"]
    print(f"{len(ORIGINS_DAYS)} origins per series, 5 min steps, 7 days; MASE vs the "
          f"one-day seasonal naive")
    print(f"| series | horizon | " + " | ".join(f"{m} MAPE % | {m} MASE" for m in methods) + " |")
    print("|---|---|" + "---|---|" * len(methods))
    for k in kinds:
        for h in HORIZONS:
            cells = []
            for m in methods:
                rows = errors[(k, m, h)]
                cells.append(f"{sum(r[1] for r in rows) / len(rows):.1f}")
                cells.append(f"{sum(r[2] for r in rows) / len(rows):.2f}")
            print(f"| {k} | {h // 3600} h | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
