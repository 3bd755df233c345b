"""The shipped Prometheus config and rules: promtool accepts them, and every alert
has promtool unit tests that fire it and keep it quiet, plus the labels and
annotations that routing and the runbook need.

Triggers: promtool check config/rules and promtool test rules on
deploy/prometheus/ and tests/prometheus/. Expects: all clean; each alert of
deploy/prometheus/rules/*.yml named by an alert_rule_test that expects it to
fire and by one that expects nothing; severity, component, summary,
description and a runbook_url whose anchor is a heading of docs/alerts.md.
"""

import glob
import os
import re
import subprocess

import harness

checks = harness.Checks()
promtool = harness.tool("promtool", "prometheus")
rules_dir = harness.source_path("deploy", "prometheus", "rules")
tests_dir = harness.source_path("tests", "prometheus")


def run(args, cwd=None):
    out = subprocess.run(args, capture_output=True, text=True, cwd=cwd)
    return out.returncode, (out.stdout + out.stderr).strip()


code, out = run([promtool, "check", "config", harness.source_path("deploy", "prometheus", "prometheus.yml")])
checks.check(code == 0, "promtool check config deploy/prometheus/prometheus.yml", out[-1500:])

rule_files = sorted(glob.glob(os.path.join(rules_dir, "*.yml")))
checks.check(len(rule_files) >= 6, f"{len(rule_files)} rule files found")
alerts = {}  # name -> (file, rule)
for path in rule_files:
    name = os.path.basename(path)
    code, out = run([promtool, "check", "rules", path])
    checks.check(code == 0, f"promtool check rules {name}", out[-1500:])
    for group in harness.load_yaml(path)["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                checks.check(rule["alert"] not in alerts, f"alert {rule['alert']} defined once")
                alerts[rule["alert"]] = (name, rule)
    test_file = os.path.join(tests_dir, name.replace(".yml", ".test.yml"))
    checks.check(os.path.exists(test_file), f"{name} has unit tests in tests/prometheus/")

# promtool test rules, one file at a time so a failure names the file.
fires, quiet = set(), set()
for path in sorted(glob.glob(os.path.join(tests_dir, "*.test.yml"))):
    code, out = run([promtool, "test", "rules", os.path.basename(path)], cwd=tests_dir)
    checks.check(code == 0, f"promtool test rules {os.path.basename(path)}", out[-3000:])
    for test in harness.load_yaml(path)["tests"]:
        for case in test.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else quiet).add(case["alertname"])

alerts_doc = harness.source_path("docs", "alerts.md")
checks.check(os.path.exists(alerts_doc), "docs/alerts.md exists")
anchors = set()
if os.path.exists(alerts_doc):
    with open(alerts_doc) as f:
        # GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes
        anchors = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
                   for line in f if line.startswith("#")}

for name, (file, rule) in sorted(alerts.items()):
    labels, annotations = rule.get("labels", {}), rule.get("annotations", {})
    checks.check(name in fires, f"{name}: a unit test expects it to fire")
    checks.check(name in quiet, f"{name}: a unit test expects it to stay quiet")
    checks.check(labels.get("severity") in ("critical", "warning"),
                 f"{name}: severity critical or warning", f"{labels.get('severity')!r}")
    checks.check(labels.get("component") in
                 ("transport", "agents", "slo", "security", "capacity", "collector"),
                 f"{name}: component label routes it", f"{labels.get('component')!r}")
    checks.check(annotations.get("summary") and annotations.get("description"),
                 f"{name}: summary and description")
    runbook = annotations.get("runbook_url", "")
    anchor = runbook.partition("#")[2]
    checks.check(runbook.startswith("docs/alerts.md#") and anchor in anchors,
                 f"{name}: runbook_url points at its section of docs/alerts.md", runbook)

print(f"{len(alerts)} alerts in {len(rule_files)} rule files")
checks.finish()
