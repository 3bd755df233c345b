"""agentmon's container image, built and run with Debian's podman.

Triggers: the .deb of this build (cpack); a base image made by mmdebstrap from
the Debian archive with the package's Depends (no registry is reachable), cached
under the build directory and imported with `podman import`; `podman build` of
deploy/Containerfile.deb on it; `podman run --privileged --pid=host` of
`agentmon check` and of the image's own command on a loopback port, scraped from
the host. Expects: check passes in the container; the container serves /metrics
with agentmon_build_info; its entrypoint and command equal deploy/Dockerfile's.
Runs rootful. This machine's crun refuses its hybrid cgroup layout and podman's
default ulimits exceed the host's hard limits, so runs use runc, cgroupfs and
explicit ulimits (docs/deploy.md "Building the image here").
"""

import json
import os
import shutil
import subprocess
import tempfile

import harness
import packaging

harness.require_bpf()
checks = harness.Checks()
podman = harness.tool("podman", "podman")
harness.tool("runc", "runc")
PODMAN = [podman, "--runtime", "runc", "--cgroup-manager", "cgroupfs"]
RUN = PODMAN + ["run", "--rm", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
                "--privileged", "--pid=host", "--network=host",
                "-v", "/sys/kernel/btf:/sys/kernel/btf:ro", "-v", "/sys/fs/bpf:/sys/fs/bpf",
                "-v", "/sys/kernel/tracing:/sys/kernel/tracing:ro"]
tag = f"localhost/agentmon-test:{os.getpid()}"


def instruction(path, op):
    """The JSON array of the last `op` instruction of a Dockerfile."""
    lines = [l for l in open(path).read().splitlines() if l.startswith(op + " ")]
    return json.loads(lines[-1][len(op) + 1:]) if lines else None


with tempfile.TemporaryDirectory(prefix="agentmon-image-") as tmp:
    deb = packaging.build_deb(tmp, checks)
    if not deb:
        checks.finish()
    tarball = packaging.base_tarball(packaging.depends_packages(deb), checks)
    base = "localhost/agentmon-base:" + os.path.basename(tarball).removesuffix(".tar")
    imported = subprocess.run([podman, "import", tarball, base], capture_output=True, text=True)
    checks.check(imported.returncode == 0, "podman import of the mmdebstrap base", imported.stderr[-1000:])
    context = os.path.join(tmp, "context")
    os.makedirs(context)
    shutil.copy(deb, os.path.join(context, "agentmon.deb"))
    containerfile = harness.source_path("deploy", "Containerfile.deb")
    build = subprocess.run(PODMAN + ["build", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
                                     "--network=host", "-f", containerfile, "--build-arg", f"BASE={base}",
                                     "-t", tag, context], capture_output=True, text=True)
    if not checks.check(build.returncode == 0, "podman build of deploy/Containerfile.deb",
                        (build.stdout + build.stderr)[-2000:]):
        checks.finish()
    try:
        dockerfile = harness.source_path("deploy", "Dockerfile")
        inspect = json.loads(subprocess.run([podman, "image", "inspect", tag], capture_output=True,
                                            text=True).stdout)[0]["Config"]
        checks.equal(inspect.get("Cmd"), instruction(dockerfile, "CMD"), "the image's command is deploy/Dockerfile's")
        checks.equal([os.path.basename(a) for a in inspect.get("Entrypoint", [])],
                     [os.path.basename(a) for a in instruction(dockerfile, "ENTRYPOINT")],
                     "the image's entrypoint is agentmon, as in deploy/Dockerfile")

        check = subprocess.run(RUN + [tag, "check"], capture_output=True, text=True, timeout=120)
        checks.equal(check.returncode, 0, "podman run --privileged agentmon check passes")
        if check.returncode:
            print(check.stdout[-2000:], check.stderr[-1000:])

        # The image's own command (its shipped config), on a loopback port.
        port = harness.free_port()
        name = f"agentmon-test-{os.getpid()}"
        command = instruction(dockerfile, "CMD") + ["--listen", f"127.0.0.1:{port}", "--tick", "200ms"]
        with harness.background(RUN + ["--name", name, tag] + command) as proc:
            url = f"http://127.0.0.1:{port}"
            ready = harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=60)
            checks.check(ready, "the container becomes ready")
            scraped = subprocess.run(["curl", "-sf", url + "/metrics"], capture_output=True, text=True)
            checks.check("agentmon_build_info" in scraped.stdout, "the host scrapes /metrics from the container")
            stop = subprocess.run([podman, "stop", "-t", "10", name], capture_output=True, text=True)
            checks.equal(stop.returncode, 0, "podman stop ends the container")
            proc.wait(timeout=30)
            if not ready:
                print(proc.stderr.read()[-2000:])
    finally:
        subprocess.run([podman, "rmi", "-f", tag, base], capture_output=True)
checks.finish()
