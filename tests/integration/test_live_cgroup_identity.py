"""Container and pod identity from the cgroup path, and a cgroup scope, live.

Triggers: a made-up cgroup v2 directory shaped like a kubelet's (systemd driver,
containerd: kubepods.slice/kubepods-besteffort.slice/
kubepods-besteffort-pod<uid>.slice/cri-containerd-<id>.scope); agentbus is moved
into it before it starts its agents. agentmon runs with
--scope cgroup:<the pod's slice>, and a second bus outside the cgroup runs at the
same time.
Expects: agent_info shows the container id and the pod uid of every agent of the
bus in the cgroup; the frames and bytes of that bus are counted exactly on every
carrier, and the other bus's are not counted at all.
"""

import json
import os
import subprocess
import tempfile
import time

import harness

harness.require_bpf()
checks = harness.Checks()
CARRIERS = ("unix", "dgram", "tcp", "ring")
POD_UID = "5f3c9a1e-7b2d-4c8e-9a6f-0d1e2f3a4b5c"
CONTAINER = "c0ffee" + "0123456789abcdef" * 3 + "0123456789"


def cgroup2_root():
    with open("/proc/self/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 2 and fields[2] == "cgroup2":
                return fields[1]
    return None


root = cgroup2_root()
if not root:
    if os.environ.get("AGENTMON_REQUIRE_BPF") == "1":
        checks.check(False, "a cgroup v2 mount exists")
        checks.finish()
    print("SKIP: no cgroup v2 mount")
    raise SystemExit(harness.SKIP)

pod_slice = ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
             + POD_UID.replace("-", "_") + ".slice")
scope = pod_slice + f"/cri-containerd-{CONTAINER}.scope"
dirs = []
path = root
for part in scope.strip("/").split("/"):
    path = os.path.join(path, part)
    if not os.path.isdir(path):
        os.mkdir(path)
        dirs.append(path)


def bus(tmp, name, into_cgroup):
    run_dir = os.path.join(tmp, name)
    os.makedirs(run_dir)
    truth = os.path.join(run_dir, "truth.json")
    cmd = [harness.binary("agentbus"), "--run-dir", run_dir, "--truth", truth, "--agents", "4",
           "--duration", "3", "--rate", "3000", "--tcp-port", str(harness.free_port_base(8)),
           "--namespace", name]
    if into_cgroup:
        procs = os.path.join(root + scope, "cgroup.procs")
        cmd = ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "sh"] + cmd
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), truth


try:
    with harness.agentmon_running(["--scope", "cgroup:" + pod_slice]) as (url, agentmon), \
            tempfile.TemporaryDirectory(prefix="cgroup-id-") as tmp:
        time.sleep(0.6)
        before = harness.scrape(url)
        pod_bus, truth = bus(tmp, "podbus", True)
        other_bus, _ = bus(tmp, "otherbus", False)

        def info_rows():
            rows = [labels for name, labels, _ in harness.scrape(url) if name == "agent_info"
                    and labels.get("container") == CONTAINER]
            return rows if len(rows) >= 4 else None

        rows = harness.wait_for(info_rows, timeout=10) or []
        checks.equal(len(rows), 4, "agent_info has the made-up container for each of 4 agents")
        checks.check(all(r.get("pod") == POD_UID for r in rows),
                     "agent_info has the pod uid from the kubepods slice", str(rows[:2]))
        checks.check(all(r.get("namespace", "") == "" for r in rows),
                     "no service account volume: the namespace label is empty", str(rows[:2]))
        _, err = pod_bus.communicate(timeout=120)
        other_bus.communicate(timeout=120)
        checks.check(pod_bus.returncode == 0 and os.path.exists(truth), "the pod's bus ran",
                     err[-500:])
        time.sleep(1.0)
        after = harness.scrape(url)
        all_rows = [labels for name, labels, _ in after if name == "agent_info"]
        checks.check(all(r.get("container") == CONTAINER for r in all_rows),
                     "no agent outside the scope's cgroup is known",
                     str([r for r in all_rows if r.get("container") != CONTAINER][:2]))
        if os.path.exists(truth):
            with open(truth) as f:
                want = json.load(f)["by_carrier"]
            for carrier in CARRIERS:
                b = harness.transport_totals(before, carrier)
                a = harness.transport_totals(after, carrier)
                got = {k: a[k] - b[k] for k in a}
                print(f"figure: cgroup scope: {carrier} frames sent {got['sent']:.0f} of "
                      f"{want[carrier]['sent']}")
                for key in ("sent", "received", "bytes_sent", "bytes_received"):
                    checks.equal(got[key], want[carrier][key], f"cgroup scope: {carrier} {key}")
finally:
    for d in reversed(dirs):
        for _ in range(50):
            try:
                os.rmdir(d)
                break
            except OSError:
                time.sleep(0.1)
checks.finish()
