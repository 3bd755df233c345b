#!/usr/bin/env python3
"""Writes the Grafana dashboards (dashboards/*.json) from specs.py.

    dashboards/build.py          rewrite the JSON files
    dashboards/build.py --check  exit 1 if a JSON file differs from what specs.py makes

The JSON files are committed so Grafana's provisioning reads them directly;
the test suite runs --check so they never drift from the specs."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from specs import DASHBOARDS  # noqa: E402


def render(make):
    return json.dumps(make(), indent=2, sort_keys=True) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    stale = []
    for name, make in DASHBOARDS.items():
        path = os.path.join(here, name)
        text = render(make)
        current = open(path).read() if os.path.exists(path) else None
        if current == text:
            continue
        if check:
            stale.append(name)
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {path}")
    if stale:
        print(f"out of date with specs.py: {', '.join(stale)} (run dashboards/build.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
