"""Boots a Debian or Ubuntu kernel under qemu (TCG) with a small initramfs and
returns what the guest printed: the plumbing of the kernel matrix
(test_live_kernel_matrix.py, scripts/kernel-matrix.sh).

Kernels come from the Debian archive (or, for Ubuntu's, a pinned package of the
Ubuntu archive) as .deb files, unpacked with `dpkg -x` and never installed on
the host. They are cached under <build>/kernel-cache (or
$AGENTMON_KERNEL_CACHE), so a rerun downloads nothing. The initramfs holds
busybox (static), agentmon, agentbus, the libraries `ldd` names, and
guest_init.sh as /init; the guest has no network device, only its own `lo`.
"""

import glob
import hashlib
import os
import shutil
import subprocess
import time

import harness

# Which Debian suite carries each kernel of the matrix. The host's own apt
# sources serve bookworm; older suites get a private apt configuration under the
# cache (same archive host, nothing added to the host's sources).
KERNEL_SUITES = {
    "6.1": "bookworm",
    "5.10": "bullseye",
}
HOST_SUITE = "bookworm"
ARCHIVE = "http://deb.debian.org"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Kernels no Debian suite carries, pinned by address and SHA-256 (Debian has no
# Ubuntu archive keyring to check a Release file with, so the package itself is
# pinned, like the npm lockfiles). Ubuntu 22.04's release kernel, 5.15, as its
# Packages index gives it: the "unsigned" image is the same kernel without the
# Secure Boot signature, which qemu's direct kernel boot does not need.
PINNED_KERNELS = {
    "5.15": ("http://archive.ubuntu.com/ubuntu/pool/main/l/linux/"
             "linux-image-unsigned-5.15.0-25-generic_5.15.0-25.25_amd64.deb",
             "ac69df20790c48217eb1386ef81fd10d3f20a4ede4dab81cc107c65d29549fa0"),
}


def cache_dir():
    return os.environ.get("AGENTMON_KERNEL_CACHE") or os.path.join(
        os.path.dirname(os.path.abspath(harness.BIN_DIR)), "kernel-cache")


def _apt_options(suite, root):
    """apt-get options for a suite: none for the host's own, else a private config."""
    if suite == HOST_SUITE:
        return []
    etc, lists = os.path.join(root, "etc"), os.path.join(root, "lists")
    os.makedirs(os.path.join(lists, "partial"), exist_ok=True)
    os.makedirs(os.path.join(root, "cache", "archives", "partial"), exist_ok=True)
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, "sources.list"), "w") as f:
        f.write(f"deb [signed-by={KEYRING}] {ARCHIVE}/debian {suite} main\n"
                f"deb [signed-by={KEYRING}] {ARCHIVE}/debian-security {suite}-security main\n")
    options = [f"Dir::Etc::SourceList={etc}/sources.list", "Dir::Etc::SourceParts=/dev/null",
               f"Dir::State::Lists={lists}", f"Dir::Cache={root}/cache"]
    args = []
    for option in options:
        args += ["-o", option]
    subprocess.run(["apt-get", *args, "update", "-qq"], check=True, capture_output=True)
    return args


def _fetch_pinned(version):
    """The vmlinuz of a PINNED_KERNELS entry, downloaded, checked and unpacked once."""
    url, sha256 = PINNED_KERNELS[version]
    root = os.path.join(cache_dir(), f"pinned-{version}")
    found = glob.glob(os.path.join(root, "unpacked", "boot", "vmlinuz-*"))
    if found:
        return found[0]
    os.makedirs(root, exist_ok=True)
    deb = os.path.join(root, os.path.basename(url))
    fetched = subprocess.run(["curl", "-fsSL", "--retry", "3", "-o", deb, url],
                             capture_output=True, text=True)
    if fetched.returncode != 0:
        raise RuntimeError(f"download of {url} failed: {fetched.stderr.strip()}")
    with open(deb, "rb") as f:
        got = hashlib.sha256(f.read()).hexdigest()
    if got != sha256:
        os.remove(deb)
        raise RuntimeError(f"{url}: SHA-256 {got}, pinned {sha256}")
    subprocess.run(["dpkg", "-x", deb, os.path.join(root, "unpacked")], check=True)
    return glob.glob(os.path.join(root, "unpacked", "boot", "vmlinuz-*"))[0]


def fetch_kernel(version):
    """Path of the vmlinuz of kernel `version`: Debian's cloud kernel ("6.1",
    "5.10") or a pinned package ("5.15"), downloading and unpacking it once.
    Raises RuntimeError with the reason."""
    if version in PINNED_KERNELS:
        return _fetch_pinned(version)
    suite = KERNEL_SUITES[version]
    root = os.path.join(cache_dir(), suite)
    found = glob.glob(os.path.join(root, "unpacked", "boot", "vmlinuz-*"))
    if found:
        return found[0]
    os.makedirs(root, exist_ok=True)
    apt = _apt_options(suite, root)
    # The metapackage names the current ABI's image package; download that one.
    depends = subprocess.run(["apt-cache", *apt, "depends", "linux-image-cloud-amd64"],
                             capture_output=True, text=True, check=True).stdout
    images = [line.split(":", 1)[1].strip() for line in depends.splitlines()
              if line.strip().startswith("Depends:") and "linux-image-" in line]
    if not images:
        raise RuntimeError(f"linux-image-cloud-amd64 of {suite} names no image: {depends}")
    # apt's sandbox user cannot write into a root-owned build dir.
    subprocess.run(["apt-get", *apt, "-o", "APT::Sandbox::User=root", "download", images[0]],
                   cwd=root, check=True, capture_output=True)
    deb = glob.glob(os.path.join(root, images[0] + "_*.deb"))[0]
    subprocess.run(["dpkg", "-x", deb, os.path.join(root, "unpacked")], check=True)
    return glob.glob(os.path.join(root, "unpacked", "boot", "vmlinuz-*"))[0]


def _libraries(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts and parts[parts.index("=>") + 1].startswith("/"):
            paths.append(parts[parts.index("=>") + 1])
        elif parts and parts[0].startswith("/"):
            paths.append(parts[0])  # the dynamic loader
    return paths


def _newc_entry(name, mode, data=b"", ino=1):
    """One record of the cpio "newc" format the kernel unpacks into its rootfs."""
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    record = header + name.encode() + b"\0"
    record += b"\0" * (-len(record) % 4) + data
    return record + b"\0" * (-len(record) % 4)


def build_initramfs(path):
    """Writes the guest's initramfs (uncompressed newc cpio) to `path`."""
    busybox = harness.tool("busybox", "busybox-static")
    files = {"/init": harness.source_path("tests", "integration", "guest_init.sh"),
             "/bin/busybox": busybox,
             "/bin/agentmon": harness.binary("agentmon"),
             "/bin/agentbus": harness.binary("agentbus")}
    for name in ("agentmon", "agentbus"):
        for lib in _libraries(harness.binary(name)):
            files[lib] = lib
    dirs = {"/proc", "/sys", "/dev", "/tmp", "/bin"}
    for target in files:
        parent = os.path.dirname(target)
        while parent != "/":
            dirs.add(parent)
            parent = os.path.dirname(parent)
    with open(path, "wb") as out:
        ino = 1
        for d in sorted(dirs):
            out.write(_newc_entry(d.lstrip("/"), 0o040755, ino=ino))
            ino += 1
        for target, source in sorted(files.items()):
            with open(os.path.realpath(source), "rb") as f:
                out.write(_newc_entry(target.lstrip("/"), 0o100755, f.read(), ino=ino))
            ino += 1
        # /init is a shell script: its interpreter must exist before it runs.
        out.write(_newc_entry("bin/sh", 0o120777, b"busybox", ino=ino))
        out.write(_newc_entry("TRAILER!!!", 0))


def boot(vmlinuz, initramfs, console_log, guest_args, timeout):
    """Boots the guest and waits for it to power off; returns (seconds, console text).
    2 vCPUs, 1 GiB, TCG (nested KVM is not available here), no devices beyond
    the serial console the results come back on."""
    qemu = harness.tool("qemu-system-x86_64", "qemu-system-x86")
    cmdline = "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init " + " ".join(
        f"agentmon.{k}={v}" for k, v in guest_args.items())
    args = [qemu, "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "1024", "-nodefaults",
            "-no-reboot", "-display", "none", "-monitor", "none",
            "-serial", f"file:{console_log}", "-kernel", vmlinuz, "-initrd", initramfs,
            "-append", cmdline]
    start = time.monotonic()
    try:
        subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pass  # subprocess.run kills qemu; the console so far tells what hung
    with open(console_log, errors="replace") as f:
        return time.monotonic() - start, f.read().replace("\r", "")


def sections(console):
    """The guest's "@@BEGIN name" ... "@@END name" blocks as {name: text}."""
    found, name, lines = {}, None, []
    for line in console.splitlines():
        if line.startswith("@@BEGIN "):
            name, lines = line[len("@@BEGIN "):], []
        elif line.startswith("@@END ") and name is not None:
            found[name] = "\n".join(lines)
            name = None
        elif name is not None:
            lines.append(line)
    return found


def qemu_present():
    return shutil.which("qemu-system-x86_64") is not None
