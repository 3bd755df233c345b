"""The dashboards' PromQL, for test_dashboards (structure, parsing) and
test_live_stack (data): every panel query with its dashboard and panel, and
Grafana's variables substituted the way Grafana would."""

import glob
import json
import os
import re

import harness

# Grafana's built-in interval variables, set to what a 1-hour view would get.
BUILTINS = {"__rate_interval": "1m", "__interval": "15s", "__range": "1h"}

# Metrics no collector exports yet, and the recordings built on them: panels
# reading them may have no data. Empty: every panel's metric is exported now.
PENDING = re.compile(r"(?!)")


def dashboards():
    """[(file name, dashboard dict)] of dashboards/*.json."""
    out = []
    for path in sorted(glob.glob(harness.source_path("dashboards", "*.json"))):
        with open(path) as f:
            out.append((os.path.basename(path), json.load(f)))
    return out


def panels(dashboard):
    """Every panel, rows' children included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def queries(dashboard):
    """[(panel title, refId, raw expr)]."""
    return [(p.get("title", ""), t.get("refId"), t["expr"])
            for p in panels(dashboard) for t in p.get("targets", []) if "expr" in t]


def variables(dashboard):
    return {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}


def substitute(expr, values):
    """Replaces $name and ${name} of known variables only (PromQL's own $1 stays)."""
    def one(match):
        name = match.group(1) or match.group(2)
        return values.get(name, match.group(0))
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", one, expr)


def is_pending(expr):
    return bool(PENDING.search(expr))
