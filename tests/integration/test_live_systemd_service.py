"""The .deb's systemd unit started by a real systemd, sandbox and all.

The test machines do not run systemd as PID 1, so the unit runs in a podman
container whose PID 1 is systemd: a Debian 12 minbase with systemd and the
package's Depends (mmdebstrap, cached like the image test's base), the .deb
installed with dpkg, the unit started with systemctl. Triggers: a drop-in that
moves the listener to a free loopback port (nothing else changes); agentbus
run as `nobody` inside the container on the ring carrier and Unix sockets.
Expects: the service starts (its --check-config ExecStartPre passes) and stays
active; the sandbox leaves agentmon its pins under /sys/fs/bpf, its BPF
programs and the bus's rings in /dev/shm: every frame and byte of both runs is
counted; the journal holds no warning; systemctl stop ends it cleanly.
"""

import json
import os
import subprocess
import tempfile
import time

import harness
import packaging

harness.require_bpf()
checks = harness.Checks()
podman = harness.tool("podman", "podman")
harness.tool("runc", "runc")
PODMAN = [podman, "--runtime", "runc", "--cgroup-manager", "cgroupfs"]
name = f"agentmon-systemd-{os.getpid()}"
port = harness.free_port()


def inside(*command, timeout=120):
    return subprocess.run([podman, "exec", name] + list(command), capture_output=True, text=True, timeout=timeout)


def totals(carrier):
    body = inside("curl", "-sf", f"http://127.0.0.1:{port}/metrics").stdout
    return harness.transport_totals(harness.parse_metrics(body), carrier)


with tempfile.TemporaryDirectory(prefix="agentmon-systemd-") as tmp:
    deb = packaging.build_deb(tmp, checks)
    if not deb:
        checks.finish()
    tarball = packaging.base_tarball(packaging.depends_packages(deb) + ["systemd", "systemd-sysv", "curl"], checks)
    image = "localhost/agentmon-systemd-base:" + os.path.basename(tarball).removesuffix(".tar")
    imported = subprocess.run([podman, "import", tarball, image], capture_output=True, text=True)
    checks.check(imported.returncode == 0, "podman import of the systemd base", imported.stderr[-1000:])
    started = subprocess.run(PODMAN + [
        "run", "-d", "--name", name, "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
        "--privileged", "--network=host", "--systemd=always",
        "-v", f"{deb}:/tmp/agentmon.deb:ro", "-v", f"{harness.binary('agentbus')}:/usr/local/bin/agentbus:ro",
        "-v", "/sys/kernel/btf:/sys/kernel/btf:ro", "-v", "/sys/fs/bpf:/sys/fs/bpf",
        image, "/sbin/init"], capture_output=True, text=True)
    try:
        if not checks.check(started.returncode == 0, "systemd boots in the container", started.stderr[-1000:]):
            checks.finish()
        harness.wait_for(lambda: inside("systemctl", "is-system-running").stdout.strip() in ("running", "degraded"),
                         timeout=60, interval=0.5)
        install = inside("dpkg", "-i", "/tmp/agentmon.deb")
        checks.check(install.returncode == 0, "dpkg -i installs the package", install.stderr[-1000:])
        dropin = ("[Service]\nExecStart=\nExecStart=/usr/bin/agentmon run --config /etc/agentmon/agentmon.json"
                  f" --listen 127.0.0.1:{port} --tick 200ms\n")
        inside("sh", "-c", "mkdir -p /etc/systemd/system/agentmon.service.d && cat > "
               f"/etc/systemd/system/agentmon.service.d/test-port.conf <<'EOF'\n{dropin}EOF\n"
               "systemctl daemon-reload")
        start = inside("systemctl", "start", "agentmon")
        checks.check(start.returncode == 0, "systemctl start agentmon", start.stderr[-1000:])
        ready = harness.wait_for(lambda: inside("curl", "-sf", f"http://127.0.0.1:{port}/readyz").returncode == 0,
                                 timeout=60, interval=0.5)
        checks.check(ready, "the service becomes ready")
        time.sleep(1.0)
        # Two seconds each, so ticks fall inside the run: the container's /proc numbers
        # tasks in its own pid namespace, and a tick must not drop the kernel's watches.
        runs = (("ring", ["--duration", "2", "--rate", "200000"]), ("unix", ["--duration", "2", "--rate", "20000"]))
        for carrier, extra in runs:
            before = totals(carrier)
            run = inside("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c",
                         "d=$(mktemp -d) && agentbus --run-dir $d --truth $d/truth.json --carrier "
                         f"{carrier} --agents 4 {' '.join(extra)} >/dev/null && cat $d/truth.json")
            truth = json.loads(run.stdout) if run.returncode == 0 else None
            checks.check(truth, f"agentbus as nobody on {carrier} in the container", run.stderr[-500:])
            time.sleep(1.0)  # several ticks: closed rings get their final read
            after = totals(carrier)
            if truth:
                want = truth["by_carrier"][carrier]
                for key in ("sent", "received", "bytes_sent", "bytes_received"):
                    checks.equal(after[key] - before[key], want[key],
                                 f"{carrier}: every {key.replace('_', ' ')} counted under the unit's sandbox")
        checks.equal(inside("systemctl", "is-active", "agentmon").stdout.strip(), "active", "the service stays active")
        journal = inside("journalctl", "-u", "agentmon", "-o", "cat", "--no-pager").stdout
        # The one expected warning: no CAP_SYS_ADMIN, so no bpf_enable_stats (docs/deploy.md).
        warnings = [l for l in journal.splitlines() if '"level":"warn"' in l or '"level":"error"' in l]
        unexpected = [l for l in warnings if "BPF run-time statistics unavailable" not in l]
        checks.check(not unexpected, "the journal holds no warning but the BPF statistics one", "\n".join(unexpected[:5]))
        stop = inside("systemctl", "stop", "agentmon")
        journal = inside("journalctl", "-u", "agentmon", "-o", "cat", "--no-pager").stdout
        checks.check(stop.returncode == 0 and "agentmon stopped cleanly" in journal,
                     "systemctl stop ends it cleanly", stop.stderr[-500:])
    finally:
        subprocess.run([podman, "rm", "-f", "-t", "5", name], capture_output=True)
        subprocess.run([podman, "rmi", "-f", image], capture_output=True)
checks.finish()
