"""The container deployment, checked statically (no Docker engine runs here):
deploy/Dockerfile and deploy/compose.yaml.

Triggers: the Dockerfile's stages and instructions; ldd and dpkg -S on the built
agentmon; docker-compose config (Debian's docker-compose validates the file
against the Compose schema without an engine). Expects: a multi-stage Debian
build whose runtime stage installs every Debian package the binary's shared
libraries come from, copies the binary and the config and runs agentmon; a
compose file that validates, with the five services (Jaeger for traces), agentmon privileged in the
host PID namespace with /sys/kernel/btf and /sys/fs/bpf, Prometheus with the
shipped rules and 30 days of retention, Grafana with the provisioned dashboards.
"""

import os
import re
import shlex
import subprocess

import harness

checks = harness.Checks()
dockerfile = harness.source_path("deploy", "Dockerfile")


def instructions(path):
    """[(INSTRUCTION, arguments)] with continuation lines joined, comments dropped."""
    with open(path) as f:
        text = re.sub(r"\\\n", " ", "".join(l for l in f if not l.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
            for line in text.splitlines() if line.strip()]


stages = []  # [(image, name, [instructions])]
for op, args in instructions(dockerfile):
    if op == "FROM":
        parts = args.split()
        stages.append((parts[0], parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else None, []))
    elif stages:
        stages[-1][2].append((op, args))

checks.check(len(stages) >= 2, f"Dockerfile is multi-stage ({len(stages)} stages)")
checks.check(all(image.startswith("debian:") for image, _, _ in stages), "every stage is Debian",
             f"{[s[0] for s in stages]}")
runtime = stages[-1][2] if stages else []
build_names = {name for _, name, _ in stages[:-1] if name}

# The runtime stage must install what the binary links: Debian packages of its libraries.
libs = subprocess.run(["ldd", harness.binary("agentmon")], capture_output=True, text=True).stdout
needed = set()
# Only the libraries agentmon names itself (DT_NEEDED): apt brings their own
# dependencies, so listing those in the Dockerfile would only go stale.
direct = set(re.findall(r"NEEDED\s+(\S+)", subprocess.run(
    ["objdump", "-p", harness.binary("agentmon")], capture_output=True, text=True).stdout))
for soname, path in re.findall(r"^\s*(\S+) => (/\S+)", libs, re.M):
    if soname not in direct:
        continue
    owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
    if owner.returncode != 0:
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
    if owner.returncode == 0:
        needed.add(owner.stdout.split(":")[0])
# Part of every Debian base image (apt itself depends on them).
needed -= {"libc6", "libgcc-s1", "libstdc++6"}
installed = set()
for op, args in runtime:
    if op == "RUN" and "apt-get install" in args:
        installed |= {w for w in shlex.split(args) if re.match(r"^[a-z0-9][a-z0-9.+-]+$", w)}
checks.check(needed and needed <= installed,
             f"runtime stage installs the packages agentmon links ({', '.join(sorted(needed))})",
             f"missing: {sorted(needed - installed)}")
copies = [args for op, args in runtime if op == "COPY"]
checks.check(any(f"--from={n}" in c and "agentmon" in c for c in copies for n in build_names),
             "runtime stage copies agentmon from the build stage")
for op, args in [i for _, _, ins in stages for i in ins if i[0] == "COPY"]:
    sources = [a for a in args.split()[:-1] if not a.startswith("--")]
    if "--from" not in args:
        for src in sources:
            checks.check(src == "." or os.path.exists(harness.source_path(src)), f"COPY source {src} exists")
checks.check(any(op == "ENTRYPOINT" and "agentmon" in args for op, args in runtime), "entrypoint is agentmon")

with open(harness.source_path(".dockerignore")) as f:
    ignored = f.read()
checks.check("build" in ignored and "node_modules" in ignored, ".dockerignore keeps build trees out of the context")

# Compose: Debian's docker-compose validates and normalises without an engine.
compose_file = harness.source_path("deploy", "compose.yaml")
out = subprocess.run([harness.tool("docker-compose", "docker-compose"), "-f", compose_file, "config"],
                     capture_output=True, text=True)
checks.check(out.returncode == 0, "docker-compose config accepts deploy/compose.yaml", out.stderr[-1500:])
compose = harness.load_yaml(text=out.stdout) if out.returncode == 0 else {"services": {}}
services = compose["services"]
checks.equal(sorted(services), ["agentmon", "alertmanager", "grafana", "jaeger", "prometheus"],
             "the five services")
jaeger_env = services.get("jaeger", {}).get("environment", {})
checks.check(str(jaeger_env.get("COLLECTOR_OTLP_ENABLED")).lower() == "true" if isinstance(jaeger_env, dict)
             else "COLLECTOR_OTLP_ENABLED=true" in jaeger_env, "Jaeger takes OTLP (agentmon's tracing.endpoint)")
agentmon = services.get("agentmon", {})
checks.equal(agentmon.get("pid"), "host", "agentmon in the host PID namespace")
checks.check(agentmon.get("privileged") or {"BPF", "PERFMON"} <= set(agentmon.get("cap_add", [])),
             "agentmon privileged or with CAP_BPF and CAP_PERFMON")
mounts = {v.split(":")[1]: v for svc in services.values() for v in svc.get("volumes", [])}
checks.check(mounts.get("/sys/kernel/btf", "").endswith(":ro"), "kernel BTF mounted read-only")
checks.check("/sys/fs/bpf" in mounts, "bpffs mounted (agentmon pins its maps there)")
checks.check(agentmon.get("build", {}).get("dockerfile") == "deploy/Dockerfile", "agentmon built from deploy/Dockerfile")
repo = os.path.realpath(harness.SOURCE_DIR)
for target, volume in mounts.items():
    source = volume.split(":")[0]
    if source.startswith(repo):  # the repository's files, not host paths or named volumes
        checks.check(os.path.exists(source), f"bind mount source {os.path.relpath(source, repo)} exists")
prom_cmd = " ".join(services.get("prometheus", {}).get("command", []))
checks.check(mounts.get("/etc/prometheus", "").startswith(os.path.join(repo, "deploy", "prometheus")),
             "Prometheus reads deploy/prometheus/")
days = re.search(r"retention.time=(\d+)d", prom_cmd)
checks.check(days and int(days.group(1)) >= 30, "Prometheus keeps 30 days for the SLO windows", prom_cmd)
checks.check("/etc/grafana/provisioning/dashboards" in mounts and "/var/lib/grafana/dashboards/agentmon" in mounts,
             "Grafana gets the provisioning files and the dashboards")
checks.finish()
