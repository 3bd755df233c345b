#!/usr/bin/env python3
"""Live test: the socket path's watched set changes owner across a restart
without losing a frame.

Triggers: agentmon runs with the agent state path off (config agent_path false),
so the socket object owns the watched map and its own task hooks; agentbus sends
~20 000 frames/s over unix sockets the whole time. agentmon is stopped and
started again on the same pin directory with the agent state path on, which now
owns the map and the task hooks (docs/architecture.md, "The shared watched set").
Expects: the second start reuses the same pinned watched map (same map id, its
entries kept), removes the socket object's pinned task-hook links with a log
line, pins the agent state object's; the final frame counts equal the bus's
truth exactly.
"""
import json
import os
import subprocess
import tempfile
import time

import harness
import live_processes

harness.require_bpf()
checks = harness.Checks()

PIN_DIR = "/sys/fs/bpf/agentmon-test-watched-owner"
SOCKET_TASK_HOOKS = {"on_task_rename", "on_process_fork", "on_process_exit"}
AGENT_TASK_HOOKS = {"agent_rename", "agent_fork", "agent_exit"}


def stop(proc):
    proc.terminate()
    proc.wait(timeout=15)
    return proc.stderr.read()


def linked(obj):
    path = os.path.join(PIN_DIR, "links", obj)
    return set(os.listdir(path)) if os.path.isdir(path) else set()


def watched_map():
    """(map id, entries) of the pinned watched set."""
    shown = json.loads(subprocess.run(["bpftool", "-j", "map", "show", "pinned",
                                       PIN_DIR + "/watched"], check=True, capture_output=True,
                                      text=True).stdout)
    dump = json.loads(subprocess.run(["bpftool", "-j", "map", "dump", "pinned",
                                      PIN_DIR + "/watched"], check=True, capture_output=True,
                                     text=True).stdout)
    return shown["id"], len(dump)


def write_config(path, agent_path):
    with open(path, "w") as f:
        json.dump({"pin_dir": PIN_DIR, "agent_path": agent_path}, f)


with tempfile.TemporaryDirectory(prefix="agentmon-watched-owner-") as tmp:
    config = os.path.join(tmp, "agentmon.json")
    write_config(config, False)
    harness.detach(config)
    port = harness.free_port()
    agentmon, url = live_processes.start_agentmon(config, port)
    bus, truth_path = live_processes.start_agentbus(
        tmp, ["--agents", "4", "--carrier", "unix", "--rate", "20000", "--duration", "10"])
    try:
        time.sleep(3)
        checks.check(SOCKET_TASK_HOOKS <= linked("socket_trace") and not linked("agent_state"),
                     "socket path alone: its own task hooks are pinned", str(linked("socket_trace")))
        before_id, before_entries = watched_map()
        checks.check(before_entries >= 4, f"socket path alone: {before_entries} tasks watched")
        stop(agentmon)

        write_config(config, True)
        agentmon, url = live_processes.start_agentmon(config, port)
        after_id, after_entries = watched_map()
        checks.equal(after_id, before_id, "the agent state object reuses the pinned watched map")
        checks.check(after_entries >= 4, f"its entries are kept ({after_entries})")
        checks.check(not (SOCKET_TASK_HOOKS & linked("socket_trace")),
                     "the socket object's task-hook links are unpinned",
                     str(linked("socket_trace")))
        checks.check(AGENT_TASK_HOOKS <= linked("agent_state"),
                     "the agent state object's task hooks are pinned", str(linked("agent_state")))
        bus.wait(timeout=60)
        checks.equal(bus.returncode, 0, "agentbus ran to the end")
        time.sleep(0.6)  # three ticks: the last counts reach the snapshot
        got = harness.transport_totals(harness.scrape(url), "unix")
        log = stop(agentmon)
        checks.check("this start leaves unloaded" in log,
                     "a log line names each removed task-hook link", log[-500:])
        truth = live_processes.carrier_truth(truth_path, "unix")
        checks.check(truth["sent"] > 100000, f"bus sent {truth['sent']} frames")
        checks.equal(got.get("sent"), truth["sent"], "frames sent equal the truth")
        checks.equal(got.get("received"), truth["received"], "frames received equal the truth")
    finally:
        if bus.poll() is None:
            bus.kill()
            bus.wait()
        if agentmon.poll() is None:
            stop(agentmon)
        harness.detach(config)

checks.finish()
