"""Live-kernel tests of agent identity and state: agentmon watches a 28-agent
agentbus through its per-tick task iterator and process tracepoints.

Triggers: agentbus with one agent of each of the 28 types; the test SIGKILLs one
agent itself; agentbus crashes another (--fault crash, SIGKILL) and restarts it
after 1 s; the bus then ends normally.
Expects: all 28 agents (by pid) under their own types and system_active_agents
for every type within 2 s of the bus's start; the killed agent failed with
signal 9 (exit code 137) within 2 collection ticks, health 0, one fewer active
agent of its type; the crashed agent's restart counted once, under the same
instance, with a new process, running again; CPU, memory and run-queue figures
present; after the bus ends, its agents exited with code 0. All of it twice: with the
kernel's agent state object, and with the /proc reader (agent_path_reader
"procfs", the fallback for kernels without task storage maps) and its exit
statuses from the process events connector.
"""

import os
import signal
import time

import agents_live
import harness

harness.require_bpf()
checks = harness.Checks()

TYPES = ["DIRECTOR", "PROJECT_ORCHESTRATOR", "SECURITY", "SECURITY_CHAOS", "TESTBED", "TUI",
         "WEB", "C_INTERNAL", "PYTHON_INTERNAL", "MONITOR", "OPTIMIZER", "PATCHER", "PYGUI",
         "RED_TEAM_ORCHESTRATOR", "RESEARCHER", "DOCGEN", "INFRASTRUCTURE", "INTEGRATION",
         "LINTER", "ML_OPS", "MOBILE", "CONSTRUCTOR", "DATA_SCIENCE", "DATABASE", "DEBUGGER",
         "DEPLOYER", "API_DESIGNER", "ARCHITECT"]
CRASHED = "SECURITY"  # agentbus kills it at 3 s and restarts it 1 s later
KILLED = "MONITOR"    # the test kills it at about 2 s; agentbus does not restart it

def run(reader):
    """One pass with agent_path_reader `reader` (docs/kernels.md)."""
    with agents_live.tmpdir() as tmp, harness.agentmon_running(
            config=agents_live.agentmon_config(tmp, reader)) as (url, _):
        agents_live.wait_ticks(url, 2)
        before = harness.scrape(url)
        families = {n for n, _, _ in before}
        checks.check("system_active_agents" in families, "system_active_agents present before any bus")
        baseline = {t: agents_live.value(before, "system_active_agents", agent_type=t) for t in TYPES}
        checks.equal(sum(1 for v in baseline.values() if v is not None), 28,
                     "system_active_agents has all 28 types, zeros included")

        bus_args = [harness.binary("agentbus"), "--run-dir", tmp, "--agents", "28", "--carrier",
                    "unix", "--rate", "2000", "--duration", "8", "--fault", f"crash:{CRASHED}",
                    "--fault-start", "3", "--restart-delay", "1",
                    "--tcp-port", str(harness.free_port_base(28))]
        started = time.monotonic()
        with harness.background(bus_args) as bus:
            # 1. All 28 types, by our agents' pids, within 2 s of the bus's start.
            def all_seen():
                kids = agents_live.children(bus.pid)
                samples = agents_live.scrape_some(url, "agent_process_id", "system_active_agents")
                known = agents_live.agents_by_pid(samples)
                ours = {known[p][0] for p in kids if p in known}
                active_ok = all((agents_live.value(samples, "system_active_agents", agent_type=t)
                                 or 0) >= (baseline[t] or 0) + 1 for t in TYPES)
                return len(kids) == 28 and ours == set(TYPES) and active_ok and samples
            samples = harness.wait_for(all_seen, timeout=10, interval=0.05)
            seen_after = time.monotonic() - started
            print(f"figure: all 28 agent types active {seen_after:.2f} s after agentbus started")
            checks.check(samples, "all 28 agents appear under their own types",
                         "not within 10 s")
            checks.check(samples and seen_after <= 2.0,
                         "all 28 types in system_active_agents within 2 s of the bus's start",
                         f"{seen_after:.2f} s")
            pids = {t: p for p, (t, _) in agents_live.agents_by_pid(samples or []).items()
                    if p in agents_live.children(bus.pid)}
            ids = {t: i for p, (t, i) in agents_live.agents_by_pid(samples or []).items()
                   if p in agents_live.children(bus.pid)}

            # 2. SIGKILL by the test: failed, signal 9, within 2 ticks.
            time.sleep(max(0.0, 2.0 - (time.monotonic() - started)))
            killed_id = ids.get(KILLED)
            ticks_before = agents_live.collections(agents_live.scrape_some(url))
            os.kill(pids[KILLED], signal.SIGKILL)

            def failed():
                s = agents_live.scrape_some(url, "agent_status", "agent_last_exit_signal")
                return (agents_live.value(s, "agent_status", agent_id=killed_id) == 4 and
                        agents_live.value(s, "agent_last_exit_signal", agent_id=killed_id) == 9
                        and s)
            s = harness.wait_for(failed, timeout=5, interval=0.01)
            ticks = agents_live.collections(s) - ticks_before if s else None
            print(f"figure: SIGKILL shown as failed (signal 9) after {ticks} collection ticks")
            checks.check(s and ticks <= 2, "SIGKILLed agent is failed (4) with signal 9 within 2 ticks",
                         f"{ticks} ticks")
            if s:
                s = harness.scrape(url)
                checks.equal(agents_live.value(s, "agent_last_exit_code", agent_id=killed_id), 137,
                             "SIGKILLed agent: last exit code 128 + 9")
                checks.equal(agents_live.value(s, "agent_health_score", agent_id=killed_id), 0,
                             "SIGKILLed agent: health 0")
                checks.equal(agents_live.value(s, "agent_process_id", agent_id=killed_id), 0,
                             "SIGKILLed agent: no process")
                checks.equal(agents_live.value(s, "system_active_agents", agent_type=KILLED),
                             baseline[KILLED] or 0, "SIGKILLed agent no longer counted active")

            # 3. The crash agentbus injects, and its restart.
            crashed_id = ids.get(CRASHED)

            def restarted():
                s = agents_live.scrape_some(url, "agent_process_id", "agent_restarts_total",
                                            "agent_last_exit_signal", "agent_status")
                pid = agents_live.value(s, "agent_process_id", agent_id=crashed_id)
                return (agents_live.value(s, "agent_restarts_total", agent_id=crashed_id) == 1 and
                        pid and int(pid) != pids[CRASHED] and s)
            s = harness.wait_for(restarted, timeout=10, interval=0.05)
            checks.check(s, "crashed and restarted agent: agent_restarts_total 1 under the same "
                         "instance, new process")
            if s:
                checks.equal(agents_live.value(s, "agent_last_exit_signal", agent_id=crashed_id), 9,
                             "crashed agent: previous process ended by signal 9")
                new_pid = int(agents_live.value(s, "agent_process_id", agent_id=crashed_id))
                checks.check(new_pid in agents_live.children(bus.pid),
                             "restarted agent's process is the bus's new child")
                checks.check(agents_live.value(s, "agent_status", agent_id=crashed_id) in (1, 2),
                             "restarted agent is running or idle again")

            # 4. Resources of a live agent.
            s = harness.scrape(url)
            director = ids.get("DIRECTOR")
            checks.check((agents_live.value(s, "agent_cpu_seconds_total", agent_id=director) or 0)
                         > 0, "a live agent has CPU seconds")
            rss = agents_live.value(s, "agent_resource_usage", agent_id=director, resource="memory")
            checks.check(rss and rss > 100_000, "a live agent's resident memory is reported", f"{rss}")
            cpu = agents_live.value(s, "agent_resource_usage", agent_id=director, resource="cpu")
            checks.check(cpu is not None and 0 <= cpu <= 2, "a live agent's CPU fraction is in range",
                         f"{cpu}")
            waits = agents_live.value(s, "agent_runqueue_delay_seconds_count", agent_type="DIRECTOR")
            checks.check(waits and waits > 0, "run-queue waits counted for a busy agent type",
                         f"{waits}")
            health = agents_live.value(s, "agent_health_score", agent_id=director)
            checks.check(health is not None and 0 < health <= 100, "a live agent has a health score",
                         f"{health}")
            bus.wait(timeout=60)

        # 5. The bus ended normally: its agents exited with code 0.
        agents_live.wait_ticks(url, 3)
        s = harness.scrape(url)
        checks.equal(agents_live.value(s, "agent_status", agent_id=director), 3,
                     "after the bus ends, its agents are exited (3)")
        checks.equal(agents_live.value(s, "agent_last_exit_code", agent_id=director), 0,
                     "after the bus ends, exit code 0")
        checks.equal(agents_live.value(s, "agent_status", agent_id=killed_id), 4,
                     "the SIGKILLed agent stays failed")
        checks.equal(agents_live.value(s, "agentmon_agent_state_events_total",
                                       event="TASK_STORAGE_FAILED"), 0,
                     "no agent task failed to be marked")

        # promtool on the exposition with the agent families.
        harness.promtool_lint(url, checks)


for mode in ("kernel", "procfs"):
    checks.prefix = f"{mode}: "
    run(mode)
checks.prefix = ""
checks.finish()
