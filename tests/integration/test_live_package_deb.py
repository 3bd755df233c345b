"""The .deb an operator installs: built by CPack from this build, unpacked into
a scratch root and run from there.

Triggers: `cpack -G DEB` (cmake/Packaging.cmake); dpkg-deb on the package;
`dpkg -x` into a scratch root; the unpacked agentmon's --version, check,
`run --check-config` on the shipped config and a short `run` on the shipped
config and a loopback port, scraped with curl; systemd-analyze verify on the
unpacked unit. Expects: Depends names exactly the Debian packages of the
libraries the binary links (dpkg-shlibdeps); the package holds the binary,
the unit, the config as a conffile and the docs, and no agentbus; the unpacked
agentmon passes check, accepts its config and serves /metrics.
"""

import os
import re
import subprocess
import tempfile

import harness
import packaging

harness.require_bpf()
checks = harness.Checks()
curl = harness.tool("curl", "curl")
analyze = harness.tool("systemd-analyze", "systemd")

with tempfile.TemporaryDirectory(prefix="agentmon-deb-") as tmp:
    deb = packaging.build_deb(tmp, checks)
    if not deb:
        checks.finish()

    # Depends against the libraries the binary itself links (NEEDED), by package.
    binary = harness.binary("agentmon")
    needed = re.findall(r"\[(.+?)\]", subprocess.run(["readelf", "-d", binary], capture_output=True,
                                                     text=True).stdout)
    owners = set()
    for lib in needed:
        path = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
        found = re.search(rf"{re.escape(lib)} \(libc6,x86-64\) => (\S+)", path)
        if found:
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(found.group(1))], capture_output=True, text=True)
            if owner.returncode != 0:  # merged /usr: dpkg knows the /lib path
                owner = subprocess.run(["dpkg", "-S", os.path.realpath(found.group(1)).removeprefix("/usr")],
                                       capture_output=True, text=True)
            owners.add(owner.stdout.split(":")[0])
    checks.equal(packaging.depends_packages(deb), sorted(owners),
                 "Depends names the packages of the libraries agentmon links")
    checks.check(all("(>=" in part for part in packaging.deb_field(deb, "Depends").split(",")),
                 "every dependency carries dpkg-shlibdeps' minimum version")

    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
    files = {line.split()[-1].removeprefix(".") for line in listing.splitlines() if not line.startswith("d")}
    for path in ("/usr/bin/agentmon", "/etc/agentmon/agentmon.json", "/lib/systemd/system/agentmon.service",
                 "/usr/share/doc/agentmon/deploy.md", "/usr/share/doc/agentmon/cli.md"):
        checks.check(path in files, f"the package holds {path}")
    checks.check(not any("agentbus" in f for f in files), "agentbus is not shipped")
    conffiles = subprocess.run(["dpkg-deb", "--ctrl-tarfile", deb], capture_output=True).stdout
    control = os.path.join(tmp, "control")
    os.makedirs(control)
    subprocess.run(["tar", "-x", "-C", control], input=conffiles, check=True)
    checks.equal(open(os.path.join(control, "conffiles")).read().split(), ["/etc/agentmon/agentmon.json"],
                 "the config is a conffile (local edits survive upgrades)")

    root = os.path.join(tmp, "root")
    subprocess.run(["dpkg", "-x", deb, root], check=True)
    for shipped, source in (("etc/agentmon/agentmon.json", "deploy/agentmon.json"),
                            ("lib/systemd/system/agentmon.service", "deploy/systemd/agentmon.service")):
        checks.equal(open(os.path.join(root, shipped)).read(), open(harness.source_path(source)).read(),
                     f"/{shipped} is {source}")

    agentmon = os.path.join(root, "usr", "bin", "agentmon")
    config = os.path.join(root, "etc", "agentmon", "agentmon.json")
    version = subprocess.run([agentmon, "--version"], capture_output=True, text=True)
    checks.check(version.returncode == 0 and version.stdout.startswith(f"agentmon {packaging.deb_field(deb, 'Version')}"),
                 "the unpacked agentmon reports the package's version", version.stdout + version.stderr)
    check = subprocess.run([agentmon, "check"], capture_output=True, text=True)
    checks.equal(check.returncode, 0, "the unpacked agentmon check finds every required feature")
    valid = subprocess.run([agentmon, "run", "--check-config", config], capture_output=True, text=True)
    checks.equal(valid.returncode, 0, "the shipped config is valid")

    # The unit as unpacked, with ExecStart pointing into the scratch root so that
    # verify also checks the command exists; any warning fails the check.
    unit_dir = os.path.join(tmp, "unit")
    os.makedirs(unit_dir)
    unit = os.path.join(unit_dir, "agentmon.service")
    with open(unit, "w") as f:
        f.write(open(os.path.join(root, "lib/systemd/system/agentmon.service")).read()
                .replace("/usr/bin/agentmon", agentmon).replace("/etc/agentmon/", os.path.dirname(config) + "/"))
    verify = subprocess.run([analyze, "verify", unit], capture_output=True, text=True)
    checks.check(verify.returncode == 0 and not verify.stderr.strip(), "systemd-analyze verify on the unpacked unit",
                 verify.stderr[-1500:])

    port = harness.free_port()
    args = [agentmon, "run", "--config", config, "--listen", f"127.0.0.1:{port}", "--tick", "200ms"]
    with harness.background(args) as proc:
        url = f"http://127.0.0.1:{port}"
        ready = harness.wait_for(lambda: harness.http_get(url + "/readyz")[0] == 200, timeout=30)
        checks.check(ready, "the unpacked agentmon serves on the shipped config")
        scraped = subprocess.run([curl, "-sf", url + "/metrics"], capture_output=True, text=True)
        samples = harness.parse_metrics(scraped.stdout) if scraped.returncode == 0 else []
        checks.check(any(name == "agentmon_build_info" for name, _, _ in samples),
                     "curl scrapes /metrics with agentmon_build_info", scraped.stderr)
        if not ready:
            proc.terminate()
            print(proc.communicate(timeout=10)[1][-2000:])
    checks.equal(proc.returncode, 0, "the unpacked agentmon stops cleanly on SIGTERM")
checks.finish()
