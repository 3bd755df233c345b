"""Builds the .deb of the current build (cmake/Packaging.cmake) for the package
and image tests, and unpacks it into a scratch root."""

import glob
import hashlib
import os
import subprocess
import time

import harness

BUILD_DIR = os.path.dirname(os.path.abspath(harness.BIN_DIR))


def build_deb(out_dir, checks):
    """Runs cpack in the build directory; returns the path of the .deb or None."""
    harness.binary("agentmon")  # the package carries the built binary
    cpack = harness.tool("cpack", "cmake")
    run = subprocess.run([cpack, "-G", "DEB", "-B", out_dir], cwd=BUILD_DIR, capture_output=True, text=True)
    debs = glob.glob(os.path.join(out_dir, "agentmon_*.deb"))
    checks.check(run.returncode == 0 and len(debs) == 1, "cpack -G DEB builds one agentmon .deb",
                 (run.stdout + run.stderr)[-1500:])
    return debs[0] if debs else None


def deb_field(deb, field):
    out = subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def depends_packages(deb):
    """Package names of the Depends field, without versions."""
    return sorted(part.split("(")[0].strip() for part in deb_field(deb, "Depends").split(",") if part.strip())


def base_tarball(packages, checks):
    """A Debian 12 minbase root with `packages`, made by mmdebstrap from the Debian
    archive (no registry needed) and cached under the build directory by that list."""
    mmdebstrap = harness.tool("mmdebstrap", "mmdebstrap")
    cache = os.path.join(BUILD_DIR, "image-cache")
    os.makedirs(cache, exist_ok=True)
    key = hashlib.sha256(" ".join(sorted(packages)).encode()).hexdigest()[:12]
    tarball = os.path.join(cache, f"bookworm-{key}.tar")
    if not os.path.exists(tarball):
        started = time.monotonic()
        partial = tarball + ".partial"
        run = subprocess.run([mmdebstrap, "--variant=minbase", "--include=" + ",".join(sorted(packages)),
                              "--format=tar", "bookworm", partial, "http://deb.debian.org/debian"],
                             capture_output=True, text=True)
        if not checks.check(run.returncode == 0, "mmdebstrap builds the base from the Debian archive",
                            run.stderr[-1500:]):
            checks.finish()
        os.rename(partial, tarball)
        print(f"base built in {time.monotonic() - started:.0f} s: {tarball}")
    return tarball
