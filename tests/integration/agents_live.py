"""Plumbing the live agent tests share: agentmon with its own pin directory, the
agents of one agentbus run by pid, and agent metrics by pid.

Agents are found by their process id (agent_process_id), never by name alone:
an agentbus started outside the test suite on the same host would otherwise be
counted as ours.
"""

import atexit
import json
import os
import tempfile
import time

import harness

PIN_DIR = "/sys/fs/bpf/agentmon-test-agents"
# agentmon leaves its pins (and programs attached) when it stops; the tests do not.
harness.detach(pin_dir=PIN_DIR)
atexit.register(harness.detach, pin_dir=PIN_DIR)


def agentmon_config(tmp, reader=None):
    """The tests' config; `reader` sets agent_path_reader (None: the default) and
    gives the instance a pin directory and config file of its own, so that one of
    each reader can run at once."""
    path = os.path.join(tmp, f"agentmon-{reader}.json" if reader else "agentmon.json")
    config = {"pin_dir": PIN_DIR + (f"-{reader}" if reader else "")}
    if reader:
        config["agent_path_reader"] = reader
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def children(pid):
    """Direct children of `pid` (the agents agentbus forked), by comm."""
    out = {}
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(p) for p in f.read().split()]
    except OSError:
        return out
    for kid in kids:
        try:
            with open(f"/proc/{kid}/comm") as f:
                out[kid] = f.read().strip()
        except OSError:
            pass
    return out


def agents_by_pid(samples):
    """{pid: (agent_type, agent_id)} from agent_process_id."""
    return {int(v): (labels["agent_type"], labels["agent_id"])
            for name, labels, v in samples if name == "agent_process_id" and v > 0}


def value(samples, name, **match):
    """The one sample of `name` whose labels include `match`, or None."""
    for n, labels, v in samples:
        if n == name and all(labels.get(k) == str(want) for k, want in match.items()):
            return v
    return None


def scrape_some(url, *names):
    """Only the samples of the families `names` (and agentmon_collections_total):
    parsing the whole exposition of a 28-agent mesh takes a Python loop about a
    second, longer than the few ticks the tests time."""
    status, body = harness.http_get(url + "/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    wanted = tuple(names) + ("agentmon_collections_total",)
    lines = [line for line in body.splitlines() if line.startswith(wanted)]
    return harness.parse_metrics("\n".join(lines))


def collections(samples):
    return value(samples, "agentmon_collections_total") or 0


def proc_cpu_seconds(pid):
    """utime + stime of /proc/<pid>/stat (the whole thread group), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    # fields[0] is field 3 (state): utime is field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tmpdir():
    return tempfile.TemporaryDirectory(prefix="agentmon-agents-")


def wait_ticks(url, n):
    """Returns once agentmon has completed `n` more collection ticks."""
    start = collections(scrape_some(url))
    harness.wait_for(lambda: collections(scrape_some(url)) >= start + n, timeout=10,
                     interval=0.02)
    time.sleep(0.05)
