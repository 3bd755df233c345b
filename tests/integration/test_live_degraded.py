"""agentmon fails loudly when it cannot see the kernel.

Triggers: agentmon run with every capability removed (setpriv, bounding set
empty), once plain and once with --allow-degraded; then as full root.
Expects: without privileges `run` exits 1 naming the collectors that could not
attach; with --allow-degraded it runs, /readyz answers 200 once its running
collectors have ticked, and agentmon_collector_up is 0 for socket, ring and
agents; as root every collector is up.
"""

import subprocess

import harness

harness.require_bpf()
checks = harness.Checks()

no_caps = [harness.tool("setpriv", "util-linux"), "--bounding-set=-all", "--inh-caps=-all"]


def up_by_collector(url):
    samples = harness.scrape(url)
    return {labels["collector"]: value for name, labels, value in samples
            if name == "agentmon_collector_up"}


port = harness.free_port()
args = [harness.binary("agentmon"), "run", "--listen", f"127.0.0.1:{port}", "--tick", "200ms"]
try:
    result = subprocess.run(no_caps + args, capture_output=True, text=True, timeout=60)
    checks.equal(result.returncode, 1, "without capabilities `agentmon run` exits 1")
    checks.check("no kernel-path collector could attach" in result.stderr,
                 "the error says no kernel-path collector could attach", result.stderr[-1500:])
    checks.check("socket" in result.stderr and "agents" in result.stderr,
                 "the error names the collectors", result.stderr[-500:])
except subprocess.TimeoutExpired:
    checks.check(False, "without capabilities `agentmon run` exits (it kept running)")

url = f"http://127.0.0.1:{port}"
with harness.background(no_caps + args + ["--allow-degraded"]) as proc:
    ready = harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=30)
    checks.check(ready, "--allow-degraded runs and becomes ready")
    if ready:
        up = up_by_collector(url)
        for collector in ("socket", "ring", "agents"):
            checks.equal(up.get(collector), 0.0, f"agentmon_collector_up{{collector={collector}}}")
        checks.equal(up.get("process"), 1.0, "agentmon_collector_up{collector=process}")
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    checks.check("running degraded" in err, "the degraded start is logged", err[-1500:])

with harness.agentmon_running() as (url, _):
    up = harness.wait_for(lambda: (lambda u: u if len(u) >= 5 else None)(up_by_collector(url)), 30)
    checks.check(up, "as root the collector_up series are there", str(up))
    for collector in ("socket", "ring", "agents", "discovery", "process"):
        checks.equal((up or {}).get(collector), 1.0, f"as root {collector} is up")
checks.finish()
