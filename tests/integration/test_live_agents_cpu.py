"""Live-kernel test of per-agent CPU time: agent_cpu_seconds_total against the
kernel's own utime + stime in /proc/<pid>/stat, from both agent state readers at
once (two agentmon instances: the kernel's task iterator, and /proc, the
fallback for kernels without task storage maps).

Triggers: agentbus with 4 agents at full rate on Unix sockets (busy). The agents
are stopped (SIGSTOP) at the start and end of a 10 s window, so that agentmon's
snapshot and /proc are read at the same frozen CPU time.
Expects: over the window, each agent's CPU seconds in agentmon within 1 % of
/proc's (and at least 1 s of CPU, so the run was busy); the totals since the
agents started within 1 % too (agentmon counts a thread's time from its start,
whenever it was marked).
"""

import os
import signal
import time

import agents_live
import harness

harness.require_bpf()
checks = harness.Checks()
WINDOW = 10.0
TOLERANCE = 0.01


READERS = ("kernel", "procfs")


def freeze(pids, urls):
    """Stops the agents; returns {reader: {pid: (proc seconds, agentmon seconds)}}."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    out = {}
    for reader, url in urls.items():
        agents_live.wait_ticks(url, 3)  # a tick that starts after every agent stopped
        samples = agents_live.scrape_some(url, "agent_process_id", "agent_cpu_seconds_total")
        ids = agents_live.agents_by_pid(samples)
        out[reader] = {}
        for pid in pids:
            mine = agents_live.value(samples, "agent_cpu_seconds_total", agent_id=ids[pid][1])
            out[reader][pid] = (agents_live.proc_cpu_seconds(pid), mine)
    return out


def resume(pids):
    for pid in pids:
        os.kill(pid, signal.SIGCONT)


with agents_live.tmpdir() as tmp, harness.agentmon_running(
        config=agents_live.agentmon_config(tmp, "kernel")) as (url, _), \
        harness.agentmon_running(config=agents_live.agentmon_config(tmp, "procfs")) as (url2, _):
    urls = {"kernel": url, "procfs": url2}
    bus_args = [harness.binary("agentbus"), "--run-dir", tmp, "--agents", "4", "--carrier",
                "unix", "--rate", "0", "--duration", str(WINDOW + 15)]
    with harness.background(bus_args) as bus:
        def ours():
            kids = agents_live.children(bus.pid)
            for u in urls.values():
                known = agents_live.agents_by_pid(agents_live.scrape_some(u, "agent_process_id"))
                if len(kids) != 4 or not all(p in known for p in kids):
                    return False
            return list(kids)
        pids = harness.wait_for(ours, timeout=10)
        checks.check(pids, "the bus's 4 agents are known to both agentmons by pid")
        if pids:
            time.sleep(1.0)
            start = freeze(pids, urls)
            resume(pids)
            time.sleep(WINDOW)
            end = freeze(pids, urls)
            resume(pids)
            for reader in READERS:
                checks.prefix = f"{reader}: "
                worst = 0.0
                for pid in pids:
                    first, last = start[reader][pid], end[reader][pid]
                    proc = last[0] - first[0]
                    mine = (last[1] or 0) - (first[1] or 0)
                    error = abs(mine - proc) / proc if proc else 1.0
                    worst = max(worst, error)
                    total_error = abs((last[1] or 0) - last[0]) / last[0] if last[0] else 1
                    print(f"figure: {reader}: pid {pid}: {WINDOW:.0f} s window /proc {proc:.3f} s, "
                          f"agentmon {mine:.3f} s ({100 * error:.2f} %); totals /proc "
                          f"{last[0]:.3f} s, agentmon {last[1] or 0:.3f} s "
                          f"({100 * total_error:.2f} %)")
                    checks.check(proc >= 1.0, f"pid {pid} was busy (>= 1 s CPU in the window)",
                                 f"{proc:.3f} s")
                    checks.check(error <= TOLERANCE,
                                 f"pid {pid}: CPU seconds over the window within 1 % of /proc",
                                 f"/proc {proc:.3f} s, agentmon {mine:.3f} s")
                    checks.check(total_error <= TOLERANCE,
                                 f"pid {pid}: total CPU seconds within 1 % of /proc",
                                 f"/proc {last[0]:.3f} s, agentmon {last[1] or 0:.3f} s")
                print(f"figure: {reader}: worst per-agent CPU disagreement {100 * worst:.2f} %")
            checks.prefix = ""
        bus.send_signal(signal.SIGINT)
        bus.wait(timeout=30)

checks.finish()
