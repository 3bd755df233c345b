"""agentmon runs with only the capabilities the Kubernetes DaemonSet grants.

Triggers: the capabilities of deploy/k8s/daemonset.yaml; agentmon run under
setpriv with every other capability removed from its bounding set; an agentbus
run of 20000 frames. Expects: agentmon becomes ready and counts every frame the
bus sent and received, as it does as full root.
"""

import time

import harness

harness.require_bpf()
checks = harness.Checks()

daemonset = harness.load_yaml(harness.source_path("deploy", "k8s", "daemonset.yaml"))
container = daemonset["spec"]["template"]["spec"]["containers"][0]
added = container["securityContext"]["capabilities"]["add"]
print(f"capabilities of the DaemonSet: {', '.join(added)}")

bounding = "-all," + ",".join("+" + cap.lower() for cap in added)
wrapper = [harness.tool("setpriv", "util-linux"), f"--bounding-set={bounding}", "--inh-caps=-all"]
port = harness.free_port()
args = wrapper + [harness.binary("agentmon"), "run", "--listen", f"127.0.0.1:{port}", "--tick", "200ms"]
url = f"http://127.0.0.1:{port}"
with harness.background(args) as proc:
    ready = harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=30)
    if not checks.check(ready, "agentmon is ready with only those capabilities"):
        proc.terminate()
        print(proc.communicate(timeout=10)[1][-2000:])
        checks.finish()
    status = open(f"/proc/{proc.pid}/status").read()
    eff = int(next(l for l in status.splitlines() if l.startswith("CapEff:")).split()[1], 16)
    checks.equal(bin(eff).count("1"), len(added), "agentmon's effective set holds just those")
    time.sleep(0.6)  # a few 200 ms ticks
    before = harness.transport_totals(harness.scrape(url), "unix")
    code, truth, err = harness.run_agentbus(["--carrier", "unix", "--agents", "4", "--messages", "20000"])
    checks.check(code == 0 and truth, "agentbus ran", err[-500:])
    time.sleep(0.7)  # the last frames reach the snapshot
    after = harness.transport_totals(harness.scrape(url), "unix")
    if truth:
        want = truth["by_carrier"]["unix"]
        checks.equal(after["sent"] - before["sent"], want["sent"], "every frame sent is counted")
        checks.equal(after["received"] - before["received"], want["received"], "every frame received is counted")
checks.finish()
