#!/usr/bin/env python3
"""Live test: agentmon restarts without losing a frame.

agentbus sends ~20 000 frames/s over unix sockets the whole time; agentmon is
stopped (SIGTERM, then SIGKILL) and started again 3 s later each time. The
pinned links keep the programs counting while agentmon is down and the pinned
maps are adopted, so the final counts must equal the bus's truth exactly, and no
transport counter may go backwards across a restart. Also: a second instance on
the same pin directory is refused naming the first one's pid, a failed start
keeps the pins, a pinned map of another layout is re-created, and
`agentmon detach` removes everything.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import harness
import live_processes

harness.require_bpf()
checks = harness.Checks()

PIN_DIR = "/sys/fs/bpf/agentmon-test-restart"
FAMILIES = ("agent_transport_messages_total", "agent_transport_bytes_total")


def run(args):
    return subprocess.run([harness.binary("agentmon")] + args, capture_output=True, text=True,
                          timeout=60)


def counters(url):
    time.sleep(0.5)  # two ticks: the latest kernel counts reach the snapshot
    return {(n, tuple(sorted(l.items()))): v for n, l, v in harness.scrape(url) if n in FAMILIES}


def backwards(before, after):
    return [k for k, v in before.items() if after.get(k, 0) < v]


def totals(samples):
    out = {}
    for (name, labels), value in samples.items():
        lab = dict(labels)
        if name == FAMILIES[0] and lab.get("carrier") == "unix":
            out[lab["direction"]] = out.get(lab["direction"], 0) + value
    return out


def pins():
    found = set()
    for root, _, files in os.walk(PIN_DIR):
        found.update(os.path.join(root, f) for f in files)
    return found


with tempfile.TemporaryDirectory(prefix="agentmon-restart-") as tmp:
    config = os.path.join(tmp, "agentmon.json")
    with open(config, "w") as f:
        json.dump({"pin_dir": PIN_DIR}, f)
    run(["detach", "--config", config])  # a clean start, whatever an earlier run left

    # A pinned map of another layout (a hash of 4-byte values where frames is a
    # per-CPU hash of frame_counts) is re-created, with a log line.
    os.makedirs(PIN_DIR, exist_ok=True)
    made = subprocess.run(["bpftool", "map", "create", PIN_DIR + "/frames", "type", "hash", "key",
                           "4", "value", "4", "entries", "8", "name", "frames"],
                          capture_output=True, text=True)
    checks.check(made.returncode == 0, "planted a frames map of another layout", made.stderr)

    port = harness.free_port()
    first, url = live_processes.start_agentmon(config, port)
    bus, truth_path = live_processes.start_agentbus(
        tmp, ["--agents", "4", "--carrier", "unix", "--rate", "20000", "--duration", "16"])
    try:
        # Second instance on the same pin directory: refused, naming the first.
        second = run(["run", "--config", config, "--listen", f"127.0.0.1:{harness.free_port()}"])
        checks.check(second.returncode != 0 and f"pid {first.pid}" in second.stderr,
                     "a second agentmon exits non-zero naming the first one's pid",
                     second.stderr[-300:])
        time.sleep(2)
        seen = counters(url)
        checks.check(totals(seen).get("sent", 0) > 0, "counting before the first restart")

        for how in (signal.SIGTERM, signal.SIGKILL):
            name = how.name
            before = counters(url)
            first.send_signal(how)
            first.wait(timeout=15)
            err = first.stderr.read()
            if how == signal.SIGTERM:
                checks.check("another layout" in err, "the mismatched frames map was re-created "
                             "with a log line", err[-500:])
            pinned = pins()
            checks.check(len(pinned) > 20, f"{name}: maps and links stay pinned ({len(pinned)})")
            # A start that fails (its port is taken) deletes no pin.
            blocker = harness.free_port()
            with socket.socket() as s:
                s.bind(("127.0.0.1", blocker))
                s.listen()
                failed = run(["run", "--config", config, "--listen", f"127.0.0.1:{blocker}"])
            checks.check(failed.returncode != 0 and pins() == pinned,
                         f"{name}: a failed start keeps every pin", failed.stderr[-300:])
            time.sleep(max(0.0, 3.0 - 0.5))
            first, url = live_processes.start_agentmon(config, port)
            after = counters(url)
            checks.check(not backwards(before, after),
                         f"{name}: no transport counter went backwards across the restart",
                         str(backwards(before, after)[:3]))
        bus.wait(timeout=60)
        checks.equal(bus.returncode, 0, "agentbus ran to the end")
        truth = live_processes.carrier_truth(truth_path, "unix")
        got = totals(counters(url))
        checks.check(truth["sent"] > 200000, f"bus sent {truth['sent']} frames")
        checks.equal(got.get("sent"), truth["sent"], "frames sent equal the truth over 2 restarts")
        checks.equal(got.get("received"), truth["received"],
                     "frames received equal the truth over 2 restarts")
    finally:
        if bus.poll() is None:
            os.killpg(bus.pid, signal.SIGKILL)
            bus.wait()
        if first.poll() is None:
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=15)

    # The programs the pinned links ran, by id: others' agentmons may run theirs.
    prog_ids = set()
    for path in pins():
        if "/links/" in path:
            shown = subprocess.run(["bpftool", "link", "show", "pinned", path, "--json"],
                                   capture_output=True, text=True)
            if shown.returncode == 0:
                prog_ids.add(json.loads(shown.stdout)["prog_id"])
    links = sorted(os.path.relpath(p, PIN_DIR + "/links") for p in pins() if "/links/" in p)
    checks.check(len(prog_ids) == len(links) >= 6,
                 f"{len(prog_ids)} programs attached through pinned links", str(links))
    # The task hooks run once: the agent state object's, the socket object's copies
    # stay unloaded and unpinned (docs/architecture.md, "The shared watched set").
    checks.check({"agent_state/agent_rename", "agent_state/agent_fork", "agent_state/agent_exit",
                  "socket_trace/on_sock_send", "socket_trace/on_sock_recv"} <= set(links)
                 and not any(link.startswith("socket_trace/on_task") or
                             link.startswith("socket_trace/on_process") for link in links),
                 "one set of task hooks is pinned, the agent state object's", str(links))
    gone = run(["detach", "--config", config])
    checks.check(gone.returncode == 0 and not os.path.exists(PIN_DIR),
                 "agentmon detach removes every pin", gone.stdout + gone.stderr)
    time.sleep(0.5)  # links and programs are freed after an RCU grace period
    left = [i for i in prog_ids if subprocess.run(["bpftool", "prog", "show", "id", str(i)],
                                                  capture_output=True).returncode == 0]
    checks.check(not left, "every program agentmon kept attached is unloaded after detach",
                 str(left))

checks.finish()
