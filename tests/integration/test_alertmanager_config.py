"""The shipped Alertmanager config: amtool accepts it, and its routing tree sends
each kind of alert where deploy/alertmanager/alertmanager.yml says.

Triggers: amtool check-config and amtool config routes test with label sets
like the rules produce. Expects: critical pages, warnings go to the warnings
webhook, security alerts reach the security receiver too, SLO tickets their
own, and the collector-down inhibition rule is present and scoped to the cluster.
"""

import subprocess

import harness

checks = harness.Checks()
amtool = harness.tool("amtool", "prometheus-alertmanager")
config = harness.source_path("deploy", "alertmanager", "alertmanager.yml")

out = subprocess.run([amtool, "check-config", config], capture_output=True, text=True)
checks.check(out.returncode == 0, "amtool check-config alertmanager.yml", (out.stdout + out.stderr)[-1500:])

routes = [
    ({"alertname": "TransportErrorRatioHigh", "severity": "critical", "component": "transport"}, "pager"),
    ({"alertname": "AgentmonDown", "severity": "critical", "component": "collector"}, "pager"),
    ({"alertname": "TransportLatencyHigh", "severity": "warning", "component": "transport"}, "warnings"),
    ({"alertname": "AgentHealthLow", "severity": "warning", "component": "agents"}, "warnings"),
    ({"alertname": "TransportEmergencyFlood", "severity": "critical", "component": "security"}, "security,pager"),
    ({"alertname": "TransportPairTrafficSpike", "severity": "warning", "component": "security"}, "security,warnings"),
    ({"alertname": "SLOAvailabilityFastBurn", "severity": "critical", "component": "slo"}, "pager"),
    ({"alertname": "SLOAvailabilitySlowBurn", "severity": "warning", "component": "slo"}, "slo-tickets"),
    ({"alertname": "Unlabelled"}, "default"),
]
for labels, want in routes:
    args = [amtool, "config", "routes", "test", f"--config.file={config}"]
    args += [f"{k}={v}" for k, v in labels.items()]
    out = subprocess.run(args, capture_output=True, text=True)
    checks.equal(out.stdout.strip(), want, f"{labels['alertname']} ({labels.get('severity', '-')}) routes to {want}")

doc = harness.load_yaml(config)
inhibits = doc.get("inhibit_rules", [])
down = [r for r in inhibits if r.get("source_matchers") == ['alertname="AgentmonDown"']]
checks.check(any("cluster" in r.get("equal", []) and "transport" in " ".join(r.get("target_matchers", []))
                 for r in down), "AgentmonDown inhibits the bus alerts of its cluster")
checks.equal(doc["route"]["group_by"], ["alertname", "cluster", "component"], "grouping labels")
checks.finish()
