"""Builds the .deb of the current build (cmake/Packaging.cmake) for the package
and image tests, and unpacks it into a scratch root."""

import glob
import os
import subprocess

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
