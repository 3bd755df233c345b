#!/usr/bin/env python3
"""Generates a labelled corpus of synthetic metric series in NAB's format, for
scripts/eval-anomaly.py. Each series is realistic rather than convenient:
daily and weekly seasonality, noise of several kinds, irregular ~5 minute
steps with gaps and repeated timestamps, and 0-3 anomalies of seven kinds
(spike, dip, level shift, trend change, variance change, flat line, pattern
break) placed after NAB's 15% probation. Deterministic: one fixed seed per
corpus, standard library only.

Usage: anomaly_corpus.py OUT_DIR [--series N] [--seed S]
Writes OUT_DIR/<name>.csv (timestamp,value) and OUT_DIR/labels.json
({name: [onset timestamps]}), like NAB's combined_labels.json."""

import argparse
import datetime
import json
import math
import os
import random

KINDS = ["spike", "dip", "level_shift", "trend_change", "variance_change", "flat_line",
         "pattern_break"]
BASES = ["daily", "daily_weekly", "random_walk", "stationary", "counts", "smooth_trend",
         "sparse_counts"]


def timestamps(rng, n, start):
    """~5 min steps with jitter, occasional gaps and repeated timestamps."""
    out, t = [], start
    for _ in range(n):
        out.append(t)
        r = rng.random()
        if r < 0.01:
            step = 0  # a repeated timestamp
        elif r < 0.015:
            step = 300 * rng.randint(3, 30)  # a gap
        else:
            step = 300 + rng.choice([0, 0, 0, 0, -1, 1, 2, -2, 60, -60])
        t += step
    return out


def base_series(rng, kind, ts):
    level = rng.choice([1.0, 20.0, 500.0, 1e5]) * rng.uniform(0.5, 2)
    noise = level * rng.uniform(0.01, 0.15)
    amp = level * rng.uniform(0.2, 0.8)
    phase = rng.uniform(0, 2 * math.pi)
    values, walk = [], 0.0
    for i, t in enumerate(ts):
        day = 2 * math.pi * (t % 86400) / 86400
        weekday = (t // 86400) % 7
        if kind == "daily":
            v = level + amp * math.sin(day + phase) + rng.gauss(0, noise)
        elif kind == "daily_weekly":
            weekend = 0.4 if weekday in (5, 6) else 1.0
            v = level + weekend * amp * max(0.0, math.sin(day + phase)) ** 2 + rng.gauss(0, noise)
        elif kind == "random_walk":
            walk += rng.gauss(0, noise * 0.3)
            v = level + walk
        elif kind == "stationary":
            v = level + rng.gauss(0, noise) * (3 if rng.random() < 0.02 else 1)
        elif kind == "counts":
            lam = 5 + 4 * math.sin(day + phase)
            v = float(sum(1 for _ in range(20) if rng.random() < lam / 20))
        elif kind == "smooth_trend":
            v = level + level * 0.0001 * i + 0.3 * amp * math.sin(day + phase) + rng.gauss(0, noise)
        else:  # sparse_counts: mostly zero, occasional small bursts
            v = float(rng.randint(1, 3)) if rng.random() < 0.05 else 0.0
        values.append(v)
    return values, noise if kind not in ("counts", "sparse_counts") else 1.5


def inject(rng, kind, values, at, scale):
    n = len(values)
    length = rng.randint(12, 60)
    end = min(n, at + length)
    if kind == "spike":
        values[at] += scale * rng.uniform(6, 15)
    elif kind == "dip":
        values[at] -= scale * rng.uniform(6, 15)
    elif kind == "level_shift":
        shift = scale * rng.uniform(4, 10) * rng.choice([-1, 1])
        for i in range(at, n):
            values[i] += shift
    elif kind == "trend_change":
        slope = scale * rng.uniform(0.3, 0.8) * rng.choice([-1, 1])
        for i in range(at, min(n, at + 200)):
            values[i] += slope * (i - at)
        for i in range(at + 200, n):
            values[i] += slope * 200
    elif kind == "variance_change":
        centre = sum(values[max(0, at - 50):at]) / max(1, len(values[max(0, at - 50):at]))
        for i in range(at, min(n, at + 150)):
            values[i] = centre + (values[i] - centre) * 4 + rng.gauss(0, scale * 3)
    elif kind == "flat_line":
        for i in range(at, min(n, at + 120)):
            values[i] = values[at]
    else:  # pattern_break: the series repeats a window from half a day ago
        for i in range(at, end + 60):
            if i < n:
                values[i] = values[max(0, i - 144)]


def fmt(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def generate(out_dir, count, seed):
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    labels = {}
    start = int(datetime.datetime(2024, 3, 4, tzinfo=datetime.timezone.utc).timestamp())
    for s in range(count):
        base = BASES[s % len(BASES)]
        n = rng.randint(2500, 6000)
        ts = timestamps(rng, n, start + rng.randint(0, 86400))
        values, scale = base_series(rng, base, ts)
        anomalies = rng.choice([0, 1, 1, 2, 2, 3])
        probation = int(0.15 * n) + 50
        span = (n - probation - 100) // max(1, anomalies)
        onsets = []
        for a in range(anomalies):
            at = probation + a * span + rng.randint(0, max(1, span - 250))
            kind = rng.choice(KINDS)
            if base == "sparse_counts" and kind in ("flat_line", "pattern_break"):
                kind = "level_shift"
            inject(rng, kind, values, at, scale)
            onsets.append((at, kind))
        name = f"synthetic_{s:02d}_{base}"
        with open(os.path.join(out_dir, name + ".csv"), "w") as f:
            f.write("timestamp,value\n")
            f.write("\n".join(f"{fmt(t)},{v:.4f}" for t, v in zip(ts, values)))
            f.write("\n" if s % 2 else "")  # half the files lack a final newline
        labels[name] = [{"timestamp": fmt(ts[at]), "index": at, "kind": kind}
                        for at, kind in onsets]
    with open(os.path.join(out_dir, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--series", type=int, default=56)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out_dir, args.series, args.seed)


if __name__ == "__main__":
    main()
