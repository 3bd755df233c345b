"""The Kubernetes manifests: deploy/k8s (DaemonSet, RBAC, Service,
ServiceMonitor, PrometheusRules) and deploy/k8s/sidecar (with its PodMonitor),
rendered with kubectl kustomize.

Triggers: kubectl kustomize; tests/k8s/validate.mjs (the Kubernetes API schemas
of the npm package kubernetes-models) on every rendered object; yamllint on the
sources and the rendered output; `agentmon check --json` for the capabilities it
requires. Expects: every object valid; the DaemonSet in the host PID namespace
with all capabilities dropped but those check needs (CAP_BPF, CAP_PERFMON) and
CAP_SYS_PTRACE, read-only BTF and tracefs mounts; the ServiceMonitor selecting
the Service's port with the scrape jobs the rules expect; the sidecar sharing
its pod's process namespace and starting before the bus; its PodMonitor with
the ServiceMonitor's jobs; one PrometheusRule per rule file whose spec equals
the file, and deploy/k8s/prometheusrules.yaml as scripts/gen-k8s-rules.py writes it.
"""

import json
import os
import subprocess

import harness

checks = harness.Checks()
kubectl = harness.tool("kubectl", "kubernetes-client")
node = harness.tool("node", "nodejs")
yamllint = harness.tool("yamllint", "yamllint")
lint_config = harness.source_path(".yamllint.yaml")


def render(directory):
    out = subprocess.run([kubectl, "kustomize", harness.source_path(directory)], capture_output=True, text=True)
    checks.check(out.returncode == 0, f"kubectl kustomize {directory}", out.stderr[-1500:])
    lint = subprocess.run([yamllint, "-s", "-c", lint_config, "-"], input=out.stdout, capture_output=True, text=True)
    checks.check(lint.returncode == 0, f"yamllint on the rendered {directory}", lint.stdout[-1500:])
    objects = harness.load_yaml(text=out.stdout, all_documents=True) or []
    validate = subprocess.run([node, harness.source_path("tests", "k8s", "validate.mjs")],
                              input=json.dumps(objects), capture_output=True, text=True,
                              cwd=harness.source_path("tests", "k8s"))
    for line in validate.stdout.splitlines():
        result = json.loads(line)
        checks.check(result["ok"], f"{result['kind']}/{result['name']} matches the Kubernetes schema", result["error"])
    checks.check(validate.returncode == 0 and validate.stdout, f"schema check of {directory} ran",
                 validate.stderr[-1500:])
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


lint = subprocess.run([yamllint, "-s", "-c", lint_config, harness.source_path("deploy"),
                       harness.source_path("dashboards", "provisioning"), harness.source_path("tests", "prometheus")],
                      capture_output=True, text=True)
checks.check(lint.returncode == 0, "yamllint on deploy/, dashboards/provisioning/, tests/prometheus/", lint.stdout[-1500:])

RULE_FILES = sorted(f for f in os.listdir(harness.source_path("deploy", "prometheus", "rules")) if f.endswith(".yml"))
objects = render("deploy/k8s")
checks.equal(sorted(kind for kind, _ in objects),
             ["DaemonSet", "Namespace"] + ["PrometheusRule"] * len(RULE_FILES) +
             ["Role", "RoleBinding", "Service", "ServiceAccount", "ServiceMonitor"],
             "the objects of the DaemonSet deployment")
checks.check(all(o["metadata"].get("namespace") == "agentmon" for (k, _), o in objects.items() if k != "Namespace"),
             "everything in the agentmon namespace")

# What `agentmon check` says of each capability when it has none: MISSING ones
# are required, DEGRADED ones optional (as root, drop them all first).
no_caps = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] if os.geteuid() == 0 else []
report = json.loads(subprocess.run(no_caps + [harness.binary("agentmon"), "check", "--json"],
                                   capture_output=True, text=True).stdout or "{}")
verdicts = {c["name"].removeprefix("CAP_"): c["verdict"] for c in report.get("checks", [])
            if c.get("group") == "capability"}
required = {cap for cap, verdict in verdicts.items() if verdict == "MISSING"}
checks.check(required, "agentmon check names required capabilities", f"{verdicts}")

ds = objects.get(("DaemonSet", "agentmon"), {})
pod = ds.get("spec", {}).get("template", {}).get("spec", {})
container = (pod.get("containers") or [{}])[0]
security = container.get("securityContext", {})
caps = security.get("capabilities", {})
checks.equal(pod.get("hostPID"), True, "DaemonSet: hostPID (the kernel reports host thread ids)")
checks.equal(caps.get("drop"), ["ALL"], "DaemonSet: every capability dropped first")
checks.equal(sorted(caps.get("add", [])), ["BPF", "CHECKPOINT_RESTORE", "DAC_READ_SEARCH", "PERFMON", "SYS_PTRACE"],
             "DaemonSet: adds CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_CHECKPOINT_RESTORE")
checks.check(not security.get("privileged"), "DaemonSet: not privileged")
checks.check(security.get("readOnlyRootFilesystem") and security.get("allowPrivilegeEscalation") is False,
             "DaemonSet: read-only root, no privilege escalation")
checks.check(pod.get("automountServiceAccountToken") is False, "DaemonSet: no API token")
mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
volumes = {v["name"]: v for v in pod.get("volumes", [])}
for path, read_only in (("/sys/kernel/btf", True), ("/sys/kernel/tracing", True), ("/sys/fs/bpf", False)):
    mount = mounts.get(path, {})
    host = volumes.get(mount.get("name"), {}).get("hostPath", {}).get("path")
    checks.equal(host, path, f"DaemonSet: host {path} mounted at {path}")
    checks.equal(bool(mount.get("readOnly")), read_only,
                 f"DaemonSet: {path} {'read-only' if read_only else 'writable (map pins)'}")

added = set(caps.get("add", []))
checks.check(required <= added, f"DaemonSet grants every capability check requires ({', '.join(sorted(required))})")
checks.check(all(verdicts.get(cap) == "DEGRADED" for cap in added - required),
             "DaemonSet adds beyond those only capabilities check names as optional", f"{sorted(added - required)}")
checks.check("SYS_ADMIN" not in added, "DaemonSet: no CAP_SYS_ADMIN (the node mounts bpffs and tracefs)")

service = objects.get(("Service", "agentmon"), {})
monitor = objects.get(("ServiceMonitor", "agentmon"), {}).get("spec", {})
port_names = {p["name"] for p in service.get("spec", {}).get("ports", [])}
checks.check(monitor.get("selector", {}).get("matchLabels", {}).items() <= service.get("metadata", {}).get("labels", {}).items(),
             "ServiceMonitor selects the Service")
pod_labels = ds.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
checks.check(pod_labels and service.get("spec", {}).get("selector", {}).items() <= pod_labels.items(),
             "Service selects the DaemonSet's pods")
endpoints = monitor.get("endpoints", [])
checks.check(endpoints and all(e.get("port") in port_names for e in endpoints), "ServiceMonitor scrapes the metrics port")
jobs = sorted(r.get("replacement") for e in endpoints for r in e.get("relabelings", []) if r.get("targetLabel") == "job")
checks.equal(jobs, ["agentmon"], "ServiceMonitor: one endpoint, with the job name the rules use")
checks.equal(container.get("ports", [{}])[0].get("containerPort"), 9465, "agentmon listens on 9465")

# The PrometheusRule objects carry the rule files unchanged, and the committed
# file is what the generator writes today.
for file in RULE_FILES:
    rule = objects.get(("PrometheusRule", "agentmon-" + file.removesuffix(".yml")), {})
    checks.equal(rule.get("spec"), harness.load_yaml(harness.source_path("deploy", "prometheus", "rules", file)),
                 f"PrometheusRule agentmon-{file.removesuffix('.yml')} equals rules/{file}")
fresh = subprocess.run([harness.source_path("scripts", "gen-k8s-rules.py"), "--check"], capture_output=True, text=True)
checks.check(fresh.returncode == 0, "deploy/k8s/prometheusrules.yaml is what scripts/gen-k8s-rules.py writes",
             fresh.stderr)
checks.check(all(o["metadata"].get("labels", {}).get("role") == "alert-rules"
                 for (k, _), o in objects.items() if k == "PrometheusRule"),
             "PrometheusRules carry the labels kube-prometheus's ruleSelector matches")

sidecar = render("deploy/k8s/sidecar")
spec = sidecar.get(("Deployment", "agent-bus"), {}).get("spec", {}).get("template", {}).get("spec", {})
init = {c["name"]: c for c in spec.get("initContainers", [])}
checks.equal(spec.get("shareProcessNamespace"), True, "sidecar: shares the pod's process namespace")
sidecar_args = init.get("agentmon", {}).get("args", [])
checks.check("--scope" in sidecar_args and sidecar_args[sidecar_args.index("--scope") + 1:][:1] == ["pod"],
             "sidecar: agentmon counts its own pod's agents only (--scope pod)", str(sidecar_args))
checks.equal(init.get("agentmon", {}).get("restartPolicy"), "Always",
             "sidecar: agentmon is a native sidecar, ready before the bus starts")
checks.equal(sorted(init.get("agentmon", {}).get("securityContext", {}).get("capabilities", {}).get("add", [])),
             ["BPF", "CHECKPOINT_RESTORE", "DAC_READ_SEARCH", "PERFMON", "SYS_PTRACE"], "sidecar: same capabilities as the DaemonSet")
pod_monitor = sidecar.get(("PodMonitor", "agent-bus-agentmon"), {}).get("spec", {})
bus_labels = sidecar.get(("Deployment", "agent-bus"), {}).get("spec", {}).get("template", {}).get("metadata", {})
checks.check(pod_monitor.get("selector", {}).get("matchLabels", {}).items() <= bus_labels.get("labels", {}).items(),
             "sidecar: the PodMonitor selects the bus pods")
sidecar_ports = {p["name"] for p in init.get("agentmon", {}).get("ports", [])}
pod_endpoints = pod_monitor.get("podMetricsEndpoints", [])
checks.check(pod_endpoints and all(e.get("port") in sidecar_ports for e in pod_endpoints),
             "sidecar: the PodMonitor scrapes agentmon's metrics port")
checks.equal([{k: e.get(k) for k in ("interval", "relabelings", "metricRelabelings")} for e in pod_endpoints],
             [{k: e.get(k) for k in ("interval", "relabelings", "metricRelabelings")} for e in endpoints],
             "sidecar: the PodMonitor has the ServiceMonitor's jobs, intervals and metric filters")
checks.finish()
