"""`agentmon run --check-config` on the shipped config and on broken socket-path
sections: the shipped one passes; each broken one fails naming its field."""

import json
import os
import subprocess
import tempfile

import harness

checks = harness.Checks()
agentmon = harness.binary("agentmon")
shipped = os.path.join(harness.SOURCE_DIR, "deploy", "agentmon.json")


def check_config(path):
    return subprocess.run([agentmon, "run", "--check-config", path], capture_output=True,
                          text=True, timeout=30)


def check_config_doc(doc):
    """--check-config on `doc` written as a JSON file; the result and all it printed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "agentmon.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        result = check_config(path)
    return result, result.stdout + result.stderr


result = check_config(shipped)
checks.equal(result.returncode, 0, "deploy/agentmon.json passes --check-config")
hardened = os.path.join(os.path.dirname(shipped), "agentmon-hardened.json")
result = check_config(hardened)
checks.equal(result.returncode, 0, "deploy/agentmon-hardened.json passes --check-config")

broken = {
    "frame_spec.source.width": {"frame_spec": {"preset": "agen", "source": {"offset": 32, "width": 3}}},
    "frame_spec: unknown preset": {"frame_spec": "agen2"},
    "frame_spec.payload_len.offset": {"frame_spec": {"preset": "ufp3", "payload_len": {"offset": 200, "width": 4}}},
    "agent_rules[0].agent_type": {"agent_rules": [{"comm": "X*", "agent_type": "NOBODY"}]},
    "latency_buckets_seconds[1]": {"latency_buckets_seconds": [0.1, 0.01]},
    "agents[0].type": {"agents": [{"id": 100, "type": "CHEF"}]},
    "series_budget.default": {"series_budget": {"default": 0}},
    "frame_spec.source.offset: field ends at 140, beyond the 128 header bytes":
        {"frame_spec": {"preset": "agen", "source": {"offset": 136, "width": 4}}},
    "frame_spec.magic_endian": {"frame_spec": {"preset": "agen", "magic_endian": "middle"}},
    "agent_rules[0].env": {"agent_rules": [{"comm": "AG_*", "env": "NOEQUALS"}]},
    "agent_rules[1].agent_id": {"agent_rules": [{"comm": "AG_*"},
                                                {"exe": "/x", "agent_type": "TUI", "agent_id": 0}]},
    "agents[1].id: 7 is already listed": {"agents": [{"id": 7, "type": "TUI"},
                                                     {"id": 7, "type": "WEB"}]},
    "series_budget.agent_transport_mesages_total": {
        "series_budget": {"agent_transport_mesages_total": 10}},
    "size_buckets_bytes[0]": {"size_buckets_bytes": [0.5, 64]},
}
for field, doc in broken.items():
    result, printed = check_config_doc(doc)
    checks.check(result.returncode == 1 and field in printed, f"a bad {field} fails and is named",
                 f"exit {result.returncode}: {printed[-300:]}")

# Working alternatives to the shipped config pass too: the UFP v3 preset, a full
# frame description, rules on every kind of condition, a registry, budgets.
good = {
    "the UFP v3 preset": {"frame_spec": {"preset": "ufp3"}},
    "a full frame description": {"frame_spec": {
        "magic": 3405691582, "magic_width": 4, "magic_endian": "big", "header_size": 32,
        "max_payload": 65536, "timestamp_unit": "us",
        "payload_len": {"offset": 4, "width": 4, "endian": "big"},
        "msg_type": {"offset": 8, "width": 2}, "source": {"offset": 10, "width": 2},
        "timestamp": {"offset": 16, "width": 8}}},
    "rules, registry and budgets": {
        "agent_rules": [{"comm": "AG_*"},
                        {"exe": "/opt/bus/*", "agent_type": "DIRECTOR", "agent_id": 57},
                        {"cmdline": "python3 *monitor.py*", "agent_type": "MONITOR"},
                        {"cgroup": "*/docker-*.scope", "env": "AGENT_TYPE=WEB*",
                         "agent_type": "WEB"}],
        "agents": [{"id": 57, "type": "DIRECTOR", "name": "director-eu"}],
        "series_budget": {"default": 60000, "message_flow_matrix": 900}},
}
for what, doc in good.items():
    result, printed = check_config_doc(doc)
    checks.check(result.returncode == 0, f"{what} passes --check-config",
                 f"exit {result.returncode}: {printed[-300:]}")

# Bounds: each refused with exit 1 and a message naming the limit, never a crash
# or an endless read; a missing file is a usage error (2) for run and check alike.
with tempfile.TemporaryDirectory() as tmp:
    def write(name, text):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    limited = {
        "nested deeper than 64": write("deep.json", '{"agents": ' + "[" * 100000 + "]" * 100000 + "}"),
        "larger than 16 MiB": "/dev/zero",
        "ring_path.sample_windows: at most 16, got 4294967300":
            write("wrap.json", '{"ring_path": {"sample_windows": 4294967300}}'),
        "pin_dir:": write("escape.json", '{"pin_dir": "/sys/fs/bpf/../../../tmp/x"}'),
        "larger than 16 MiB (50 MB agents list)": write(
            "huge.json", json.dumps({"agents": [{"id": "x"}] * 5_000_000})),
    }
    for expected, path in limited.items():
        result = check_config(path)
        needle = expected.split(" (")[0]
        checks.check(result.returncode == 1 and needle in result.stderr,
                     f"{expected}: exit 1 and named",
                     f"exit {result.returncode}: {result.stderr[-300:]}")

    many = write("many.json", json.dumps({"agents": [{"id": "x"}] * 5000}))
    result = check_config(many)
    lines = result.stderr.splitlines()
    checks.check(result.returncode == 1 and len(lines) == 21 and "more problems" in lines[-1],
                 "5000 bad agents print 20 problem lines and a count",
                 f"exit {result.returncode}, {len(lines)} lines, last: {lines[-1:]}")

    missing = os.path.join(tmp, "missing.json")
    checks.equal(check_config(missing).returncode, 2, "--check-config with a missing file exits 2")
    run = subprocess.run([agentmon, "run", "--config", missing], capture_output=True, text=True,
                         timeout=30)
    checks.equal(run.returncode, 2, "run --config with a missing file exits 2")

checks.finish()
