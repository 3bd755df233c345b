"""agentmon counts exactly from inside a pid namespace: the sidecar and the
DaemonSet layouts, with agents started before and after agentmon.

Triggers: a namespace holder (unshare --pid --mount, a fresh /proc) stands for a
pod. Sidecar layout: agentmon (--scope pod) and agentbus both run in it (nsenter),
so agentmon's /proc numbers the agents in the pod's namespace; a second bus on
the host runs meanwhile and is not the pod's. DaemonSet layout: agentmon runs in
the namespace with the host's /proc bind-mounted (--host-proc) and the bus on the
host. "Before": the bus's agents are named and connected (agentbus --start-file)
before agentmon starts, and send their first frame once agentmon watches them;
"after": the bus starts once agentmon is ready.
Expects: in all four cases the frames and bytes sent and received on unix, dgram,
tcp and ring equal the pod bus's truth exactly (before this, agentmon in its own
pid namespace counted 0 % of the frames of agents started before it and ~12 % of
those after), and the host bus's frames are not counted by the pod's agentmon.
"""

import json
import os
import signal
import subprocess
import tempfile
import time

import harness

harness.require_bpf()
checks = harness.Checks()
unshare = harness.tool("unshare", "util-linux")
nsenter = harness.tool("nsenter", "util-linux")
CARRIERS = ("unix", "dgram", "tcp", "ring")
BUS = ["--agents", "4", "--messages", "8000", "--rate", "4000"]


class Namespace:
    """A pid and mount namespace held by a sleeping pid 1, with its own /proc;
    `host_proc` (a directory) gets the host's /proc first."""

    def __init__(self, host_proc=None):
        script = ""
        if host_proc:
            script += f"mount --rbind /proc {host_proc} && "
        script += "mount -t proc proc /proc && exec sleep 3600"
        self.proc = subprocess.Popen([unshare, "--pid", "--fork", "--mount", "--propagation",
                                      "private", "sh", "-c", script], start_new_session=True)
        self.pid = harness.wait_for(self._holder, timeout=10)
        if not self.pid:
            raise RuntimeError("the namespace holder did not start")

    def _holder(self):
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                child = f.read().split()
            if not child:
                return None
            with open(f"/proc/{child[0]}/comm") as f:
                return int(child[0]) if f.read().strip() == "sleep" else None
        except OSError:
            return None

    def enter(self):
        return [nsenter, f"--target={self.pid}", "--pid", "--mount", "--"]

    def close(self):
        os.killpg(self.proc.pid, signal.SIGKILL)  # pid 1 gone: the namespace with it
        self.proc.wait()


def start_agentmon(prefix, args):
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = prefix + [harness.binary("agentmon"), "run", "--listen", f"127.0.0.1:{port}",
                    "--tick", "200ms"] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    if not harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=30):
        stop(proc)
        raise RuntimeError(f"agentmon did not become ready: {proc.stderr.read()[-2000:]}")
    return proc, url


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
    return err


def start_bus(prefix, tmp, name, extra=()):
    run_dir = os.path.join(tmp, name)
    os.makedirs(run_dir)
    truth = os.path.join(run_dir, "truth.json")
    cmd = prefix + [harness.binary("agentbus"), "--run-dir", run_dir, "--truth", truth,
                    "--tcp-port", str(harness.free_port_base(8))] + BUS
    proc = subprocess.Popen(cmd + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    return proc, truth


def finish_bus(proc, truth, what):
    _, err = proc.communicate(timeout=120)
    ok = proc.returncode == 0 and os.path.exists(truth)
    checks.check(ok, f"{what}: agentbus ran", err[-800:])
    if not ok:
        return None
    with open(truth) as f:
        return json.load(f)["by_carrier"]


def totals(url):
    samples = harness.scrape(url)
    return {c: harness.transport_totals(samples, c) for c in CARRIERS}


def watched(url, count):
    samples = harness.scrape(url)
    return harness.metric_sum(samples, "agentmon_discovered_agent_processes") >= count


def run_case(layout, when):
    what = f"{layout}, agents started {when} agentmon"
    harness.detach()
    with tempfile.TemporaryDirectory(prefix="pidns-") as tmp:
        host_proc = os.path.join(tmp, "hostproc") if layout == "daemonset" else None
        if host_proc:
            os.makedirs(host_proc)
        ns = Namespace(host_proc)
        monitor = bus = decoy = None
        try:
            inside = ns.enter()
            bus_prefix = inside if layout == "sidecar" else []
            agentmon_args = (["--scope", "pod"] if layout == "sidecar"
                             else ["--host-proc", host_proc])
            start_file = os.path.join(tmp, "go")
            if when == "before":
                bus, truth = start_bus(bus_prefix, tmp, "bus", ["--start-file", start_file])
                ready = harness.wait_for(lambda: os.path.exists(start_file + ".waiting"), 30)
                checks.check(ready, f"{what}: the agents are up before agentmon")
                monitor, url = start_agentmon(inside, agentmon_args)
            else:
                monitor, url = start_agentmon(inside, agentmon_args)
            if layout == "sidecar":
                # Another bus on the node, outside the pod, from agentmon's start on.
                decoy, _ = start_bus([], tmp, "decoy", ["--namespace", "decoybus"])
            time.sleep(0.6)
            before = totals(url)
            if when == "before":
                seen = harness.wait_for(lambda: watched(url, 4), timeout=10)
                checks.check(seen, f"{what}: agentmon found the running agents")
                open(start_file, "w").close()
            else:
                bus, truth = start_bus(bus_prefix, tmp, "bus")
            want = finish_bus(bus, truth, what)
            bus = None
            if decoy:
                _, err = decoy.communicate(timeout=120)
                checks.check(decoy.returncode == 0, f"{what}: the host's bus ran meanwhile",
                             err[-500:])
                decoy = None
            time.sleep(1.0)  # the last tick's frames and the rings' final reads
            after = totals(url)
            if want:
                for carrier in CARRIERS:
                    got = {k: after[carrier][k] - before[carrier][k] for k in after[carrier]}
                    exp = want[carrier]
                    print(f"figure: {what}: {carrier} frames sent {got['sent']:.0f} of "
                          f"{exp['sent']}, received {got['received']:.0f} of {exp['received']}")
                    for key in ("sent", "received", "bytes_sent", "bytes_received"):
                        checks.equal(got[key], exp[key], f"{what}: {carrier} {key}")
        finally:
            for proc in (bus, decoy):
                if proc and proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            if monitor:
                err = stop(monitor)
                if checks.failed:
                    print(err[-3000:])
            ns.close()
    harness.detach()


for layout in ("sidecar", "daemonset"):
    for when in ("before", "after"):
        run_case(layout, when)
checks.finish()
