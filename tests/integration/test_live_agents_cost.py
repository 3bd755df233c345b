"""Live-kernel test of the agent state path's cost and exactness.

Triggers:
  1. a pipe ping-pong of 20000 round trips between two processes that are not
     agents (about 40000 context switches), with agentmon running;
  2. two busy agent processes (comm AG_TESTBED, taken by prctl after fork)
     pinned to one CPU, so each waits in the run queue while the other runs,
     until each has run 2 s (schedstat); they are stopped (SIGSTOP) before the comparison so that agentmon and /proc
     read the same frozen counters.
Expects:
  1. no agentmon program ran per context switch: every program except the
     per-tick task iterators ran fewer than 1 time per 100 switches (a program
     on sched_switch would run at least once per switch). The counts are the
     kernel's bpf_stats run_cnt of agentmon's own program fds (fdinfo), read
     without scraping, so agentmon's HTTP traffic does not count.
  2. agent_cpu_seconds_total within 1 % of /proc/<pid>/stat's utime + stime;
     agent_runqueue_delay_seconds_sum of the type within 2 % (or 5 ms) of the
     summed /proc/<pid>/schedstat run delay, and its count equal to the summed
     run counts (pcount), since the kernel's numbers are the same ones.
"""

import ctypes
import json
import os
import signal
import subprocess
import time

import agents_live
import harness

harness.require_bpf()
checks = harness.Checks()
ROUND_TRIPS = 20000
MIN_CPU_NS = 2_000_000_000  # per busy agent before the comparison
PR_SET_NAME = 15


def agentmon_programs(pid):
    """{prog_id: run_cnt} of the BPF programs agentmon holds open."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:bpf-prog":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)
        except OSError:
            continue
        out[int(info["prog_id"])] = int(info.get("run_cnt", "0"))
    return out


def bpftool_json(*args):
    return json.loads(subprocess.run(["bpftool", "-j", *args], check=True,
                                     capture_output=True, text=True).stdout)


def ping_pong():
    """Forks a pair that bounces one byte ROUND_TRIPS times once go is written."""
    go_r, go_w = os.pipe()
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    pids = []
    for role in ("ping", "pong"):
        pid = os.fork()
        if pid == 0:
            os.read(go_r, 1)
            for _ in range(ROUND_TRIPS):
                if role == "ping":
                    os.write(a_w, b"x")
                    os.read(b_r, 1)
                else:
                    os.read(a_r, 1)
                    os.write(b_w, b"x")
            os._exit(0)
        pids.append(pid)
    return pids, go_w


def busy_agent(name):
    pid = os.fork()
    if pid == 0:
        os.sched_setaffinity(0, {0})
        ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode(), 0, 0, 0)
        while True:
            pass
    return pid


def schedstat(pid):
    """(sum_exec_runtime ns, run_delay ns, pcount) summed over the process's threads."""
    totals = [0, 0, 0]
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            for i, v in enumerate(f.read().split()[:3]):
                totals[i] += int(v)
    return totals


with agents_live.tmpdir() as tmp, harness.agentmon_running(
        config=agents_live.agentmon_config(tmp)) as (url, agentmon):
    agents_live.wait_ticks(url, 2)
    iterators = {link["prog_id"] for link in bpftool_json("link", "show")
                 if link.get("type") == "iter"}
    names = {p["id"]: p.get("name", "?") for p in bpftool_json("prog", "show")}

    # 1. A ping-pong of non-agents runs no agentmon program.
    pids, go = ping_pong()
    before = agentmon_programs(agentmon.pid)
    os.write(go, b"gg")
    switches = 0
    for p in pids:
        _, _, usage = os.wait4(p, 0)  # the children's own context switches
        switches += usage.ru_nvcsw + usage.ru_nivcsw
    after = agentmon_programs(agentmon.pid)
    checks.check(switches >= ROUND_TRIPS, "the ping-pong switched context",
                 f"{switches} switches")
    print(f"figure: ping-pong of {ROUND_TRIPS} round trips, {switches} context switches")
    checks.check(any(i in iterators for i in after), "agentmon's task iterators found")
    for prog_id in sorted(after):
        runs = after[prog_id] - before.get(prog_id, 0)
        kind = "per-tick iterator" if prog_id in iterators else "program"
        print(f"figure: {kind} {names.get(prog_id, prog_id)}: {runs} runs "
              f"({runs / max(switches, 1):.4f} per switch)")
        if prog_id not in iterators:
            checks.check(runs * 100 < switches,
                         f"{names.get(prog_id, prog_id)} does not run per context switch",
                         f"{runs} runs for {switches} switches")

    # 2. CPU seconds and run-queue delay against /proc.
    agents = [busy_agent("AG_TESTBED"), busy_agent("AG_TESTBED")]
    try:
        known = harness.wait_for(lambda: all(
            p in agents_live.agents_by_pid(agents_live.scrape_some(url, "agent_process_id"))
            for p in agents), timeout=10)
        checks.check(known, "both busy agents are known to agentmon by pid")
        # /proc/<pid>/stat counts in clock ticks (10 ms at USER_HZ 100), so 1 % needs
        # over 1 s of CPU each; on a busy host that takes longer than on an idle one.
        busy = harness.wait_for(lambda: all(schedstat(p)[0] >= MIN_CPU_NS for p in agents),
                                timeout=120)
        checks.check(busy, f"each pinned agent ran {MIN_CPU_NS / 1e9:.0f} s on a CPU",
                     str([schedstat(p)[0] / 1e9 for p in agents]))
        for p in agents:
            os.kill(p, signal.SIGSTOP)
        agents_live.wait_ticks(url, 3)
        samples = agents_live.scrape_some(url, "agent_process_id", "agent_cpu_seconds_total",
                                          "agent_runqueue_delay_seconds")
        ids = agents_live.agents_by_pid(samples)
        delay_ns = pcount = 0
        for p in agents:
            _, delay, runs = schedstat(p)
            delay_ns += delay
            pcount += runs
            proc = agents_live.proc_cpu_seconds(p)
            mine = agents_live.value(samples, "agent_cpu_seconds_total", agent_id=ids[p][1])
            off = abs(mine - proc) / proc if proc and mine is not None else 1
            print(f"figure: pid {p}: /proc {proc:.3f} s, agentmon {mine:.3f} s ({off:.2%})")
            checks.check(proc >= 1.0 and off <= 0.01,
                         f"pid {p}: CPU seconds within 1 % of /proc/<pid>/stat")
        got_sum = agents_live.value(samples, "agent_runqueue_delay_seconds_sum",
                                    agent_type="TESTBED") or 0
        got_count = agents_live.value(samples, "agent_runqueue_delay_seconds_count",
                                      agent_type="TESTBED") or 0
        want = delay_ns / 1e9
        print(f"figure: run-queue delay /proc {want:.4f} s over {pcount} waits, "
              f"agentmon {got_sum:.4f} s over {got_count:.0f}")
        checks.check(want > 0.1, "the pinned agents waited in the run queue")
        checks.check(abs(got_sum - want) <= max(0.02 * want, 0.005),
                     "run-queue delay within 2 % of /proc/<pid>/schedstat")
        checks.equal(int(got_count), pcount, "run-queue waits equal schedstat's run count")
    finally:
        for p in agents:
            os.kill(p, signal.SIGKILL)
            os.waitpid(p, 0)

checks.finish()
