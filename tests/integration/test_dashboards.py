"""The Grafana dashboards' structure, and that every panel query parses.

Triggers: dashboards/build.py --check; the JSON of dashboards/*.json and the
provisioning files; promtool check rules on every panel query (variables
substituted) written as a recording rule. Expects: the six dashboards with
their stable uids, no hard-coded data source, titles and units on every panel,
every query valid PromQL, and every recording a query names defined in
deploy/prometheus/rules/. (test_live_stack runs the same queries for data.)
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import dashboard_queries as dq
import harness

checks = harness.Checks()

out = subprocess.run([sys.executable, harness.source_path("dashboards", "build.py"), "--check"],
                     capture_output=True, text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
checks.check(out.returncode == 0, "dashboards/*.json are what dashboards/specs.py makes",
             (out.stdout + out.stderr)[-800:])

EXPECTED = {
    "agentmon-overview": "System Overview", "agentmon-transport": "Transport Layer",
    "agentmon-agents": "Individual Agents", "agentmon-flow": "Message Flow",
    "agentmon-slo": "SLI and SLO", "agentmon-capacity": "Capacity Planning",
}
boards = dq.dashboards()
uids = [d.get("uid") for _, d in boards]
checks.equal(sorted(uids), sorted(EXPECTED), "the six dashboards with their stable uids")
checks.equal(len(set(uids)), len(uids), "uids unique")


def datasource_refs(node, path=""):
    """Every value under a "datasource" key, anywhere in the JSON."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource":
                yield path + "/datasource", value
            yield from datasource_refs(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from datasource_refs(value, f"{path}/{i}")


recorded = set()
for rules in glob.glob(harness.source_path("deploy", "prometheus", "rules", "*.yml")):
    for group in harness.load_yaml(rules)["groups"]:
        recorded |= {r["record"] for r in group["rules"] if "record" in r}

all_queries = []
for name, board in boards:
    uid = board.get("uid")
    checks.check(EXPECTED.get(uid, "?") in board.get("title", ""), f"{uid}: title names it",
                 board.get("title"))
    variables = dq.variables(board)
    ds = variables.get("datasource", {})
    checks.check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
                 f"{uid}: data source is a variable of Prometheus data sources")
    fixed = [(p, v) for p, v in datasource_refs(board)
             if not (v == "${datasource}" or (isinstance(v, dict) and v.get("uid") == "${datasource}"))]
    checks.check(not fixed, f"{uid}: no hard-coded data source", f"{fixed[:3]}")
    panels = list(dq.panels(board))
    checks.check(len(panels) >= 6, f"{uid}: {len(panels)} panels")
    for panel in panels:
        title = panel.get("title", "")
        checks.check(bool(title.strip()), f"{uid}: panel {panel.get('id')} has a title")
        checks.check(bool(panel.get("fieldConfig", {}).get("defaults", {}).get("unit")),
                     f"{uid}: '{title}' has a unit")
        refs = [t.get("refId") for t in panel.get("targets", [])]
        checks.check(refs and len(set(refs)) == len(refs), f"{uid}: '{title}' has queries with distinct refIds")
    for title, ref, expr in dq.queries(board):
        for var in re.findall(r"\$\{?(\w+)", expr):
            if not var.isdigit():
                checks.check(var in variables or var in dq.BUILTINS,
                             f"{uid}: '{title}' uses only defined variables", var)
        for rule in set(re.findall(r"\b[a-z_]+:[a-z0-9_:]+", expr)):
            checks.check(rule in recorded, f"{uid}: '{title}' reads recording {rule}, which the rules define")
        values = dict(dq.BUILTINS, **{v: "x" for v in variables})
        all_queries.append((f"{uid}: {title} [{ref}]", dq.substitute(expr, values)))

checks.check("agent_type" in dq.variables(dict(boards)["individual-agents.json"]) if boards else False,
             "Individual Agents has an agent_type variable")
checks.check(any(p["type"] == "nodeGraph" for p in dq.panels(dict(boards).get("message-flow.json", {}))),
             "Message Flow has a node graph of agent pairs")

# Every query through Prometheus's parser: as recording rules, one file.
with tempfile.TemporaryDirectory(prefix="agentmon-dash-") as tmp:
    path = os.path.join(tmp, "panels.yml")
    with open(path, "w") as f:
        json.dump({"groups": [{"name": "panels", "rules": [
            {"record": f"panel_query_{i}", "expr": expr} for i, (_, expr) in enumerate(all_queries)]}]}, f)
    out = subprocess.run([harness.tool("promtool", "prometheus"), "check", "rules", path],
                         capture_output=True, text=True)
    detail = out.stdout + out.stderr
    for number in sorted(set(int(n) for n in re.findall(r"panel_query_(\d+)", detail))):
        detail += f"\n  panel_query_{number} = {all_queries[number][0]}"
    checks.check(out.returncode == 0, f"all {len(all_queries)} panel queries parse (promtool)", detail[-2000:])

# Provisioning: Grafana loads the dashboards and a default Prometheus data source.
prov = harness.load_yaml(harness.source_path("dashboards", "provisioning", "dashboards", "agentmon.yaml"))
checks.check(prov["providers"][0]["options"]["path"].endswith("/agentmon"), "dashboard provider has a path")
dsp = harness.load_yaml(harness.source_path("dashboards", "provisioning", "datasources", "prometheus.yaml"))
checks.check(dsp["datasources"][0]["type"] == "prometheus" and dsp["datasources"][0].get("isDefault"),
             "a default Prometheus data source is provisioned")
print(f"{len(boards)} dashboards, {len(all_queries)} panel queries")
checks.finish()
