#!/usr/bin/env python3
"""agentmon's command line without BPF: help, version, usage errors (exit 2) and
--check-config on good and bad files (the message names the field)."""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def agentmon(*args):
    return subprocess.run([harness.binary("agentmon"), *args], capture_output=True, text=True,
                          timeout=30)


def write_config(directory, name, document):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(document if isinstance(document, str) else json.dumps(document))
    return path


def main():
    checks = harness.Checks()

    result = agentmon("--help")
    checks.equal(result.returncode, 0, "--help exits 0")
    checks.check("check" in result.stdout and "run" in result.stdout,
                 "--help lists the check and run subcommands", result.stdout)

    result = agentmon("run", "--help")
    checks.equal(result.returncode, 0, "run --help exits 0")
    for flag in ("--listen", "--web.listen-address", "--web.telemetry-path", "--config", "--tick",
                 "--check-config"):
        checks.check(flag in result.stdout, f"run --help documents {flag}", result.stdout)

    result = agentmon("--version")
    checks.equal(result.returncode, 0, "--version exits 0")
    checks.check(result.stdout.startswith("agentmon 0."), "--version prints 'agentmon <version>'",
                 result.stdout)

    usage_errors = {
        "an unknown flag": ["--no-such-flag"],
        "no subcommand": [],
        "run --tick soon": ["run", "--tick", "soon"],
        "run --tick below the 100ms minimum": ["run", "--tick", "10ms"],
        "--log-format xml": ["--log-format", "xml", "check"],
        "run --config with a missing file": ["run", "--config", "/nonexistent/agentmon.json"],
        "run --web.listen-address nowhere": ["run", "--web.listen-address", "nowhere"],
        "run --web.telemetry-path without a leading /": ["run", "--web.telemetry-path", "metrics"],
        "run --web.telemetry-path /healthz (taken)": ["run", "--web.telemetry-path", "/healthz"],
    }
    for what, args in usage_errors.items():
        checks.equal(agentmon(*args).returncode, 2, f"{what} exits 2")
    result = agentmon("run", "--listen", "nowhere")
    checks.equal(result.returncode, 2, "run --listen nowhere exits 2")
    checks.check("--listen" in result.stderr, "the --listen usage error names the flag",
                 result.stderr)

    with tempfile.TemporaryDirectory(prefix="agentmon-cli-") as tmp:
        good = write_config(tmp, "good.json", {"listen": "127.0.0.1:9465", "tick": "2s"})
        result = agentmon("run", "--check-config", good)
        checks.equal(result.returncode, 0, "--check-config on a valid file exits 0")
        checks.check("OK" in result.stdout, "--check-config says OK for a valid file",
                     result.stdout)

        result = agentmon("run", "--config", good, "--check-config")
        checks.equal(result.returncode, 0, "--config FILE --check-config exits 0 for a valid file")

        bad_tick = write_config(tmp, "bad_tick.json", {"tick": "fortnightly"})
        result = agentmon("run", "--check-config", bad_tick)
        checks.equal(result.returncode, 1, "--check-config on a bad tick exits 1")
        checks.check(f"{bad_tick}: tick:" in result.stderr,
                     "the bad-tick message names the file and the tick field", result.stderr)

        bad_listen = write_config(tmp, "bad_listen.json", {"listen": "127.0.0.1:0"})
        result = agentmon("run", "--check-config", bad_listen)
        checks.equal(result.returncode, 1, "--check-config on a bad listen exits 1")
        checks.check("listen:" in result.stderr, "the bad-listen message names the listen field",
                     result.stderr)

        unknown = write_config(tmp, "unknown.json", {"tikc": "1s"})
        result = agentmon("run", "--check-config", unknown)
        checks.equal(result.returncode, 1, "--check-config on an unknown key exits 1")
        checks.check('did you mean "tick"' in result.stderr,
                     "the unknown-key message suggests the known key", result.stderr)

        broken = write_config(tmp, "broken.json", "{ not json")
        result = agentmon("run", "--check-config", broken)
        checks.equal(result.returncode, 1, "--check-config on broken JSON exits 1")
        checks.check("not valid JSON" in result.stderr, "broken JSON is reported as such",
                     result.stderr)

        result = agentmon("run", "--config", bad_tick)
        checks.equal(result.returncode, 1, "run --config with a bad file exits 1 before starting")

    checks.finish()


if __name__ == "__main__":
    main()
