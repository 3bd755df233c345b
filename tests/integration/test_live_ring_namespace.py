"""The ring path's final read works for a bus in another mount namespace, under
the DaemonSet's capabilities.

Triggers: agentmon run under setpriv with only the capabilities of
deploy/k8s/daemonset.yaml; agentbus on the ring carrier in a mount namespace of
its own (unshare -m) with a private tmpfs on /dev/shm, so its ring files are not
in agentmon's /dev/shm. Expects: every ring found gets a file for its final read
(through /proc/<pid>/map_files or /proc/<pid>/root), and the frames and bytes
written and read equal the bus's truth exactly, including the last partial tick
read after all the ring's agents have exited.
"""

import json
import os
import subprocess
import tempfile
import time

import harness

harness.require_bpf()
checks = harness.Checks()

daemonset = harness.load_yaml(harness.source_path("deploy", "k8s", "daemonset.yaml"))
added = daemonset["spec"]["template"]["spec"]["containers"][0]["securityContext"][
    "capabilities"]["add"]
unshare = harness.tool("unshare", "util-linux")


def ring_run(caps, what):
    """agentmon with `caps` as its bounding set, the bus in its own mount namespace."""
    bounding = "-all," + ",".join("+" + cap.lower() for cap in caps)
    setpriv = [harness.tool("setpriv", "util-linux"), f"--bounding-set={bounding}",
               "--inh-caps=-all"]
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    harness.detach()
    args = setpriv + [harness.binary("agentmon"), "run", "--listen", f"127.0.0.1:{port}",
                      "--tick", "200ms"]
    with harness.background(args) as proc, tempfile.TemporaryDirectory(prefix="ringns-") as tmp:
        ready = harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=30)
        checks.check(ready, f"{what}: agentmon is ready")
        time.sleep(0.6)
        before = harness.transport_totals(harness.scrape(url), "ring")
        truth_path = os.path.join(tmp, "truth.json")
        bus = [harness.binary("agentbus"), "--run-dir", tmp, "--truth", truth_path, "--carrier",
               "ring", "--agents", "4", "--duration", "2", "--rate", "100000"]
        script = 'mount -t tmpfs tmpfs /dev/shm && exec "$@"'
        run = subprocess.run([unshare, "-m", "--propagation", "private", "sh", "-c", script,
                              "sh"] + bus, capture_output=True, text=True, timeout=120)
        checks.check(run.returncode == 0 and os.path.exists(truth_path),
                     f"{what}: agentbus ran in its own mount namespace", run.stderr[-500:])
        time.sleep(1.0)  # rings closed at the bus's exit get their final read
        after = harness.transport_totals(harness.scrape(url), "ring")
        if os.path.exists(truth_path):
            with open(truth_path) as f:
                want = json.load(f)["by_carrier"]["ring"]
            got = {k: after[k] - before[k] for k in after}
            print(f"figure: {what}: ring frames written {got['sent']:.0f} of {want['sent']}, "
                  f"read {got['received']:.0f} of {want['received']}")
            checks.equal(got["sent"], want["sent"], f"{what}: every frame written is counted")
            checks.equal(got["received"], want["received"], f"{what}: every frame read is counted")
            checks.equal(got["bytes_sent"], want["bytes_sent"], f"{what}: bytes written")
            checks.equal(got["bytes_received"], want["bytes_received"], f"{what}: bytes read")
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        found = [line for line in err.splitlines() if 'msg="ring found"' in line]
        checks.check(found and all("final_read=file" in line for line in found),
                     f"{what}: every ring found has a file for its final read",
                     "\n".join(found[:4]) or err[-1500:])


ring_run(added, "the DaemonSet's capabilities")
# Without CAP_CHECKPOINT_RESTORE /proc/<pid>/map_files is refused: the file is
# reached through /proc/<pid>/root, which CAP_SYS_PTRACE allows.
ring_run([c for c in added if c != "CHECKPOINT_RESTORE"], "without CHECKPOINT_RESTORE")
harness.detach()
checks.finish()
