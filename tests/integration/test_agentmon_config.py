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


result = check_config(shipped)
checks.equal(result.returncode, 0, "deploy/agentmon.json passes --check-config")

broken = {
    "frame_spec.source.width": {"frame_spec": {"preset": "agen", "source": {"offset": 32, "width": 3}}},
    "frame_spec: unknown preset": {"frame_spec": "agen2"},
    "frame_spec.payload_len.offset": {"frame_spec": {"preset": "ufp3", "payload_len": {"offset": 200, "width": 4}}},
    "agent_rules[0].agent_type": {"agent_rules": [{"comm": "X*", "agent_type": "NOBODY"}]},
    "latency_buckets_seconds[1]": {"latency_buckets_seconds": [0.1, 0.01]},
    "agents[0].type": {"agents": [{"id": 100, "type": "CHEF"}]},
    "series_budget.default": {"series_budget": {"default": 0}},
}
with tempfile.TemporaryDirectory() as tmp:
    for field, doc in broken.items():
        path = os.path.join(tmp, "bad.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        result = check_config(path)
        checks.check(result.returncode == 1 and field in (result.stdout + result.stderr),
                     f"a bad {field} fails and is named",
                     f"exit {result.returncode}: {(result.stdout + result.stderr)[-300:]}")

checks.finish()
