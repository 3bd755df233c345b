#!/usr/bin/env python3
"""agentbus command line: bad flags exit 2 with a message naming the problem;
--help and --version exit 0; agent processes carry comm AG_<TYPE>.
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

checks = harness.Checks()
agentbus = harness.binary("agentbus")

BAD = [
    (["--carrier", "pigeon"], "pigeon"),
    (["--agents", "0"], "--agents"),
    (["--agents", "many"], "--agents"),
    (["--payload", "9:3"], "MIN"),
    (["--fault", "explode"], "explode"),
    (["--fault", "crash:NOBODY"], "NOBODY"),
    (["--ring-size", "5000"], "power of two"),
    (["--bogus"], "--bogus"),
    (["--messages", "5", "--duration", "1"], "exclude"),
]
for args, needle in BAD:
    proc = subprocess.run([agentbus] + args, capture_output=True, text=True, timeout=10)
    checks.equal(proc.returncode, 2, f"{' '.join(args)}: exit code 2")
    checks.check(needle in proc.stderr, f"{' '.join(args)}: message names {needle!r}", proc.stderr)

proc = subprocess.run([agentbus, "--help"], capture_output=True, text=True, timeout=10)
checks.equal(proc.returncode, 0, "--help exits 0")
checks.check("--carrier" in proc.stdout and "--fault" in proc.stdout, "--help lists the flags")
proc = subprocess.run([agentbus, "--version"], capture_output=True, text=True, timeout=10)
checks.equal(proc.returncode, 0, "--version exits 0")
checks.check(proc.stdout.startswith("agentbus "), "--version prints agentbus <version>", proc.stdout)

TYPES = ["DIRECTOR", "PROJECT_ORCHESTRATOR", "SECURITY", "SECURITY_CHAOS", "TESTBED", "TUI",
         "WEB", "C_INTERNAL", "PYTHON_INTERNAL", "MONITOR", "OPTIMIZER", "PATCHER", "PYGUI",
         "RED_TEAM_ORCHESTRATOR", "RESEARCHER", "DOCGEN", "INFRASTRUCTURE", "INTEGRATION",
         "LINTER", "ML_OPS", "MOBILE", "CONSTRUCTOR", "DATA_SCIENCE", "DATABASE", "DEBUGGER",
         "DEPLOYER", "API_DESIGNER", "ARCHITECT"]


def children_comms(pid):
    comms = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                with open(f"/proc/{entry}/comm") as f:
                    comms.append(f.read().strip())
        except (OSError, ValueError, IndexError):
            pass
    return sorted(comms)


with tempfile.TemporaryDirectory(prefix="agentbus-comm-") as tmp:
    cmd = [agentbus, "--run-dir", tmp, "--duration", "4", "--rate", "5000",
           "--carrier", "unix,ring", "--fault", "unauthorized:MONITOR", "--fault-start", "0.5",
           "--fault-duration", "3"]
    with harness.background(cmd) as proc:
        expected = sorted(("AG_" + t)[:15] for t in TYPES)
        comms = harness.wait_for(lambda: [c for c in children_comms(proc.pid) if c.startswith("AG_")]
                                 if len([c for c in children_comms(proc.pid) if c.startswith("AG_")]) == 28
                                 else None, timeout=5)
        checks.equal(comms, expected, "28 agent processes with comm AG_<TYPE> (15-byte comm)")
        checks.check(os.path.exists(os.path.join(tmp, "agent_DIRECTOR.sock")),
                     "agent_DIRECTOR.sock exists in the run dir")
        intruder = harness.wait_for(lambda: "intruder" in children_comms(proc.pid), timeout=3)
        checks.check(intruder, "the unauthorized peer runs with comm intruder")
        checks.equal(proc.wait(timeout=30), 0, "a --duration run ends by itself with exit 0")

checks.finish()
