#!/usr/bin/env python3
"""Scores anomaly detectors on a labelled corpus the way the Numenta Anomaly
Benchmark (NAB) does, and prints one table: NAB score per profile (standard,
reward_low_FP, reward_low_FN) for agentmon's detector and two baselines.

NAB's rules, reimplemented (standard library only):
- each labelled onset gets a window centred on it, the windows of a series
  sharing 10% of its length; the first 15% of a series is probation (unscored);
- inside a window only the earliest detection counts, worth A_TP * sigmoid of
  its position (about 1 at the window's start, 0 at its end); a window without
  detection costs A_FN; a detection outside windows costs A_FP, less when it
  follows a window closely;
- ONE threshold per detector and profile is chosen for the whole corpus, so
  scores must be comparable across series;
- normalised: 0 = a detector that never fires, 100 = a perfect one.

Usage: eval-anomaly.py CORPUS_DIR [--agentmon BUILD/bin/agentmon]
CORPUS_DIR holds <name>.csv and labels.json as written by anomaly_corpus.py.
"""

import argparse
import bisect
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time

PROFILES = {  # NAB's cost matrices: (A_TP, A_FP, A_FN)
    "standard": (1.0, 0.11, 1.0),
    "reward_low_FP": (1.0, 0.22, 1.0),
    "reward_low_FN": (1.0, 0.11, 2.0),
}


def sigmoid(position):
    return -1.0 if position > 3.0 else 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def read_values(path):
    with open(path) as f:
        return [float(row["value"]) for row in csv.DictReader(f)]


class SeriesScoring:
    """Precomputes, for one series' scores, what any threshold would earn."""

    def __init__(self, scores, onsets):
        n = len(scores)
        self.probation = min(int(0.15 * n), 750)
        self.windows = []
        if onsets:
            width = int(0.1 * n / len(onsets))
            for at in onsets:
                self.windows.append((max(0, at - width // 2), min(n - 1, at + width // 2)))
        inside = [None] * n
        for w, (a, b) in enumerate(self.windows):
            for i in range(a, b + 1):
                inside[i] = w
        # Per window: the earliest index reaching each running maximum, with its value.
        self.window_steps = []
        for a, b in self.windows:
            steps, best = [], -1.0
            for i in range(a, b + 1):
                if i >= self.probation and scores[i] > best:
                    best = scores[i]
                    steps.append((best, -(b - i + 1) / (b - a + 1)))
            self.window_steps.append(steps)
        # False positives: (score, unweighted sigmoid) sorted by descending score.
        fps, previous_end = [], None
        for i in range(n):
            if inside[i] is not None:
                previous_end = self.windows[inside[i]][1]
                continue
            if i < self.probation:
                continue
            if previous_end is None:
                weight = -1.0
            else:
                weight = sigmoid(abs(i - previous_end) / (self.windows[0][1] - self.windows[0][0] + 1))
            fps.append((scores[i], weight))
        fps.sort(key=lambda p: -p[0])
        self.fp_scores = [-s for s, _ in fps]
        self.fp_cumulative = [0.0]
        for _, w in fps:
            self.fp_cumulative.append(self.fp_cumulative[-1] + w)

    def score(self, threshold, profile):
        tp_weight, fp_weight, fn_weight = profile
        total, detected = 0.0, 0
        for steps in self.window_steps:
            hit = next((pos for best, pos in steps if best >= threshold), None)
            if hit is None:
                total -= fn_weight
            else:
                total += tp_weight * sigmoid(hit)
                detected += 1
        fp_count = bisect.bisect_right(self.fp_scores, -threshold)
        total += fp_weight * self.fp_cumulative[fp_count]
        return total, detected, fp_count


def nab_score(all_scores, labels, profile):
    series = [SeriesScoring(s, labels[name]) for name, s in all_scores.items()]
    windows = sum(len(s.windows) for s in series)
    null = -profile[2] * windows
    perfect = profile[0] * windows * sigmoid(-1.0)
    candidates = sorted({round(v, 4) for s in all_scores.values() for v in s} | {1.01})
    if len(candidates) > 400:
        candidates = candidates[::len(candidates) // 400] + [1.01]
    best = None
    for t in candidates:
        raw = [s.score(t, profile) for s in series]
        total = sum(r[0] for r in raw)
        if best is None or total > best[0]:
            best = (total, t, sum(r[1] for r in raw), sum(r[2] for r in raw))
    total, threshold, detected, fps = best
    return 100.0 * (total - null) / (perfect - null), threshold, detected, windows, fps


def rolling_zscore(values, window=288):
    out, recent = [], []
    for v in values:
        if len(recent) >= 30:
            mean = sum(recent) / len(recent)
            std = math.sqrt(sum((x - mean) ** 2 for x in recent) / len(recent)) or 1e-12
            z = abs(v - mean) / std
            out.append(z / (1.0 + z))
        else:
            out.append(0.0)
        recent.append(v)
        if len(recent) > window:
            recent.pop(0)
    return out


def windowed_gaussian(values, window=6400, step=100):
    """NAB's windowedGaussian: a gaussian fitted to the last `window` points,
    refitted every `step` points; the score is 1 - two-sided tail probability."""
    out, mean, std = [], 0.0, 1.0
    for i, v in enumerate(values):
        if i and i % step == 0:
            recent = values[max(0, i - window):i]
            mean = sum(recent) / len(recent)
            std = math.sqrt(sum((x - mean) ** 2 for x in recent) / len(recent)) or 1e-12
        if i < step:
            out.append(0.0)
            continue
        z = abs(v - mean) / std
        out.append(1.0 - math.erfc(z / math.sqrt(2.0)))
    return out


def agentmon_scores(binary, corpus, names):
    out, elapsed, points = {}, 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            target = os.path.join(tmp, name + ".csv")
            started = time.perf_counter()
            subprocess.run([binary, "analyze", "anomalies", "--input",
                            os.path.join(corpus, name + ".csv"), "--output", target], check=True)
            elapsed += time.perf_counter() - started
            with open(target) as f:
                out[name] = [float(r["anomaly_score"]) for r in csv.DictReader(f)]
            points += len(out[name])
    return out, points / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--agentmon", default=os.path.join(
        os.path.dirname(__file__), "..", "build", "bin", "agentmon"))
    parser.add_argument("--per-kind", action="store_true", help="also print detections per kind")
    args = parser.parse_args()
    with open(os.path.join(args.corpus, "labels.json")) as f:
        label_doc = json.load(f)
    names = sorted(label_doc)
    labels = {name: [a["index"] for a in label_doc[name]] for name in names}
    values = {name: read_values(os.path.join(args.corpus, name + ".csv")) for name in names}

    ours, rate = agentmon_scores(args.agentmon, args.corpus, names)
    detectors = {
        "agentmon": ours,
        "windowed_gaussian": {n: windowed_gaussian(v) for n, v in values.items()},
        "rolling_zscore": {n: rolling_zscore(v) for n, v in values.items()},
    }
    print(f"corpus {args.corpus}: {len(names)} series, "
          f"{sum(len(v) for v in values.values())} points, {sum(map(len, labels.values()))} anomalies")
    print(f"agentmon analyze anomalies: {rate:,.0f} points/s end to end (process start, CSV in/out)")
    print(f"{'detector':<20}" + "".join(f"{p:>16}" for p in PROFILES) + "   (standard: threshold, windows hit, FPs)")
    for name, scores in detectors.items():
        results = [nab_score(scores, labels, profile) for profile in PROFILES.values()]
        s = results[0]
        print(f"{name:<20}" + "".join(f"{r[0]:16.1f}" for r in results) +
              f"   ({s[1]:.3f}, {s[2]}/{s[3]}, {s[4]})")
        if args.per_kind:
            per_kind(scores, label_doc, s[1])


def per_kind(scores, label_doc, threshold):
    hits, totals = {}, {}
    for name, anomalies in label_doc.items():
        n = len(scores[name])
        width = int(0.1 * n / len(anomalies)) if anomalies else 0
        for a in anomalies:
            lo, hi = max(0, a["index"] - width // 2), min(n, a["index"] + width // 2 + 1)
            totals[a["kind"]] = totals.get(a["kind"], 0) + 1
            if max(scores[name][lo:hi]) >= threshold:
                hits[a["kind"]] = hits.get(a["kind"], 0) + 1
    print("    " + ", ".join(f"{k} {hits.get(k, 0)}/{totals[k]}" for k in sorted(totals)))


if __name__ == "__main__":
    sys.exit(main())
