#!/usr/bin/env python3
"""agentmon analyze anomalies: the CSV interface. Header, a missing final
newline and repeated timestamps are accepted; a bad row names its line and
exits 1; a missing file exits 2; one output row per input row, scores in [0, 1].
agentmon analyze forecast: --horizon points ahead of an evenly spaced series,
a bad horizon exits 2, an uneven series exits 1."""

import csv
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def analyze(src, dst):
    return subprocess.run([harness.binary("agentmon"), "analyze", "anomalies", "--input", src,
                           "--output", dst], capture_output=True, text=True, timeout=60)


def main():
    checks = harness.Checks()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.csv"), os.path.join(tmp, "out.csv")
        rows = []
        for i in range(1200):
            t = 1700000000 + 300 * (i - (1 if i % 97 == 0 and i else 0))  # repeats
            stamp = f"2024-01-{1 + t // 86400 % 28:02d} {t // 3600 % 24:02d}:{t // 60 % 60:02d}:00"
            rows.append(f"{stamp},{100 + 10 * math.sin(i / 20.0) + (80 if i == 900 else 0):.3f}")
        rows.sort()
        with open(src, "w") as f:
            f.write("timestamp,value\n" + "\n".join(rows))  # no final newline
        result = analyze(src, dst)
        checks.equal(result.returncode, 0, "a valid file exits 0")
        with open(dst) as f:
            reader = csv.reader(f)
            header = next(reader)
            out = list(reader)
        checks.equal(header, ["timestamp", "value", "anomaly_score"], "the output header")
        checks.equal(len(out), len(rows), "one output row per input row")
        scores = [float(r[2]) for r in out]
        checks.check(all(0.0 <= s <= 1.0 for s in scores), "scores are in [0, 1]")
        checks.check([",".join(r[:2]) for r in out] == rows, "timestamp and value are kept as read")

        with open(src, "w") as f:
            f.write("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,oops\n")
        result = analyze(src, dst)
        checks.equal(result.returncode, 1, "a bad value exits 1")
        checks.check(":3:" in result.stderr and "oops" in result.stderr,
                     "the error names line 3 and the bad field", result.stderr)
        with open(src, "w") as f:
            f.write("time,val\n")
        checks.equal(analyze(src, dst).returncode, 1, "a wrong header exits 1")
        result = analyze(os.path.join(tmp, "missing.csv"), dst)
        checks.equal(result.returncode, 2, "a missing file exits 2")

        even = os.path.join(tmp, "even.csv")
        with open(even, "w") as f:
            f.write("timestamp,value\n")
            for i in range(300):
                f.write(f"2024-01-01 {i // 60:02d}:{i % 60:02d}:00,{10 + 0.5 * i}\n")
        forecast = [harness.binary("agentmon"), "analyze", "forecast", "--input", even,
                    "--output", dst]
        result = subprocess.run(forecast + ["--horizon", "30m"], capture_output=True, text=True)
        checks.equal(result.returncode, 0, "forecast: a valid series exits 0")
        with open(dst) as f:
            lines = f.read().splitlines()
        checks.equal(lines[0], "seconds_ahead,forecast,lower,upper", "forecast: the header")
        checks.equal(len(lines), 31, "forecast: one row per minute of the 30 m horizon")
        last = float(lines[-1].split(",")[1])
        checks.check(abs(last - (10 + 0.5 * 329)) < 5, "forecast: the ramp extrapolated", str(last))
        result = subprocess.run(forecast + ["--horizon", "soon"], capture_output=True, text=True)
        checks.equal(result.returncode, 2, "forecast: a bad --horizon exits 2")
        with open(even, "a") as f:
            f.write("2024-01-03 00:00:00,1\n")
        result = subprocess.run(forecast, capture_output=True, text=True)
        checks.check(result.returncode == 1 and "evenly spaced" in result.stderr,
                     "forecast: an uneven series exits 1 and says why", result.stderr)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
