"""agentmon with exactly the systemd unit's capabilities counts a bus that runs
as another user.

Triggers: the CapabilityBoundingSet of deploy/systemd/agentmon.service; agentmon
run as root's uid under setpriv with only those capabilities (the unit's
sandbox itself needs systemd as PID 1, which the test machines do not run);
agentbus run as `nobody` on the ring carrier (rings in /dev/shm owned by
nobody) and on Unix sockets. Expects: every frame and byte of both runs
counted, and each ring opened for its final read (`final_read=file` in the
log), which needs CAP_DAC_READ_SEARCH for another user's file.
"""

import json
import os
import pwd
import subprocess
import tempfile
import time

import harness

harness.require_bpf()
checks = harness.Checks()
setpriv = harness.tool("setpriv", "util-linux")

unit = open(harness.source_path("deploy", "systemd", "agentmon.service")).read()
caps = next(l.split("=", 1)[1].split() for l in unit.splitlines() if l.startswith("CapabilityBoundingSet="))
print(f"capabilities of the unit: {' '.join(caps)}")
bounding = "-all," + ",".join("+" + c.removeprefix("CAP_").lower() for c in caps)
nobody = pwd.getpwnam("nobody")


def bus_as_nobody(args):
    """agentbus as nobody; returns (exit code, truth, stderr)."""
    with tempfile.TemporaryDirectory(prefix="agentbus-nobody-") as tmp:
        os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
        truth_path = os.path.join(tmp, "truth.json")
        cmd = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
               harness.binary("agentbus"), "--run-dir", tmp, "--truth", truth_path] + args
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        truth = json.load(open(truth_path)) if os.path.exists(truth_path) else None
        return run.returncode, truth, run.stderr


port = harness.free_port()
args = [setpriv, f"--bounding-set={bounding}", "--inh-caps=-all", harness.binary("agentmon"), "run",
        "--listen", f"127.0.0.1:{port}", "--tick", "200ms"]
url = f"http://127.0.0.1:{port}"
with harness.background(args) as proc:
    if not checks.check(harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=30),
                        "agentmon is ready with the unit's capabilities"):
        proc.terminate()
        print(proc.communicate(timeout=10)[1][-2000:])
        checks.finish()
    for carrier, extra in (("ring", ["--duration", "2", "--rate", "200000"]), ("unix", ["--messages", "20000"])):
        time.sleep(1.0)
        before = harness.transport_totals(harness.scrape(url), carrier)
        code, truth, err = bus_as_nobody(["--carrier", carrier, "--agents", "4"] + extra)
        checks.check(code == 0 and truth, f"agentbus as nobody on {carrier}", err[-500:])
        time.sleep(1.0)  # several ticks: closed rings get their final read
        after = harness.transport_totals(harness.scrape(url), carrier)
        if truth:
            want = truth["by_carrier"][carrier]
            for key in ("sent", "received", "bytes_sent", "bytes_received"):
                checks.equal(after[key] - before[key], want[key], f"{carrier}: every {key.replace('_', ' ')} counted")
proc_log = proc.stderr.read()
found = [l for l in proc_log.splitlines() if "ring found" in l]
checks.check(found and all("final_read=file" in l for l in found),
             f"every ring of nobody's opened for its final read ({len(found)} found)", "\n".join(found[:4]))
checks.finish()
