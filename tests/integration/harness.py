"""Shared plumbing for the integration and live tests.

Each test script is a plain Python 3 program (standard library only, so the
suite needs nothing from PyPI) registered with ctest. A script runs its checks
in order, prints one line per check and closes with "N passed, N failed".
Exit codes follow ctest's conventions: 0 pass, 1 fail, 77 skipped.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77


def _serialize_with_other_runs():
    """Holds a host-wide lock for this test's life. Agents are recognised by their
    comm (AG_<TYPE>), so an agentbus started by one test run is traffic to every
    agentmon on the host: two suites (or a suite and a benchmark) running at once
    would count each other's frames. ctest runs the scripts one after another;
    this keeps concurrent runs from different checkouts apart too."""
    import fcntl
    path = os.environ.get("AGENTMON_TEST_LOCK", "/tmp/agentmon-tests.lock")
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"waiting for {path}: another agentmon test run holds it", flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    return handle  # closed (and the lock released) when the process exits


_LOCK = _serialize_with_other_runs()

BIN_DIR = os.environ.get("AGENTMON_BIN_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "bin")
SOURCE_DIR = os.environ.get("AGENTMON_SOURCE_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..")


def binary(name):
    path = os.path.join(BIN_DIR, name)
    if not os.access(path, os.X_OK):
        print(f"FAIL: {path} is missing; build first (cmake --build build)")
        sys.exit(1)
    return path


def require_bpf(reason_if_missing="live-kernel test needs root and a BPF-capable kernel"):
    """Skip (exit 77) where BPF cannot load; fail instead when CI demands it."""
    problems = []
    if os.geteuid() != 0:
        problems.append("not running as root")
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        problems.append("no kernel BTF at /sys/kernel/btf/vmlinux")
    if not problems:
        return
    message = f"{reason_if_missing}: {', '.join(problems)}"
    if os.environ.get("AGENTMON_REQUIRE_BPF") == "1":
        print(f"FAIL: {message} (AGENTMON_REQUIRE_BPF=1 forbids skipping)")
        sys.exit(1)
    print(f"SKIP: {message}")
    sys.exit(SKIP)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    """Returns (status, body) and never raises for HTTP error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(interval)
    return None


def run_agentbus(args, timeout=120):
    """Runs agentbus to completion; returns (exit code, truth dict or None, stderr)."""
    with tempfile.TemporaryDirectory(prefix="agentbus-test-") as tmp:
        truth_path = os.path.join(tmp, "truth.json")
        cmd = [binary("agentbus"), "--run-dir", tmp, "--truth", truth_path] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        truth = None
        if os.path.exists(truth_path):
            with open(truth_path) as f:
                truth = json.load(f)
        return proc.returncode, truth, proc.stderr


@contextlib.contextmanager
def background(cmd, **kwargs):
    """Starts a process for the duration of a with-block; stops it with SIGTERM."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class Checks:
    """Collects named checks and prints the closing line ctest users expect."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.prefix = ""  # put before each check's name, for a test run in several modes

    def check(self, condition, what, detail=""):
        what = self.prefix + what
        if condition:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return condition

    def equal(self, actual, expected, what):
        return self.check(actual == expected, what, f"got {actual!r}, expected {expected!r}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)


def parse_metrics(text):
    """Parses Prometheus text exposition into [(name, {label: value}, float)]."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        name, labels = head, {}
        if "{" in head:
            name, _, rest = head.partition("{")
            rest = rest.rstrip("}")
            for part in _split_labels(rest):
                key, _, val = part.partition("=")
                labels[key] = val.strip('"')
        samples.append((name, labels, float(value)))
    return samples


def _split_labels(text):
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"' and not current.endswith("\\"):
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def metric_sum(samples, name, **match):
    """Sum of the samples of `name` whose labels include every key=value in match."""
    return sum(v for n, labels, v in samples
               if n == name and all(labels.get(k) == str(want) for k, want in match.items()))


@contextlib.contextmanager
def agentmon_running(extra_args=(), config=None, tick="200ms"):
    """Runs `agentmon run` on a free loopback port until the block ends; yields (URL, process)."""
    port = free_port()
    args = [binary("agentmon"), "run", "--listen", f"127.0.0.1:{port}", "--tick", tick]
    if config:
        args += ["--config", config]
    # agentmon keeps its programs attached and its maps pinned after it stops (so
    # a restart loses nothing); each block starts fresh and leaves nothing running.
    detach(config)
    try:
        with background(args + list(extra_args)) as proc:
            url = f"http://127.0.0.1:{port}"
            if not wait_for(lambda: http_get(url + "/readyz")[0] == 200, timeout=30):
                proc.terminate()
                out, err = proc.communicate(timeout=10)
                raise RuntimeError(f"agentmon did not become ready: {err[-2000:]}")
            yield url, proc
    finally:
        detach(config)


def detach(config=None, pin_dir=None):
    """`agentmon detach` for the pin directory of `config` or `pin_dir` (default
    /sys/fs/bpf/agentmon without either)."""
    path = os.path.join(BIN_DIR, "agentmon")
    if os.geteuid() != 0 or not os.access(path, os.X_OK):
        return
    with tempfile.TemporaryDirectory(prefix="agentmon-detach-") as tmp:
        if pin_dir and not config:
            config = os.path.join(tmp, "agentmon.json")
            with open(config, "w") as f:
                json.dump({"pin_dir": pin_dir}, f)
        args = [path, "detach"] + (["--config", config] if config else [])
        subprocess.run(args, capture_output=True, text=True, timeout=60)


# Every test process leaves the default pin directory empty, whichever way it
# started agentmon: the next test must not count on top of this one's maps.
import atexit  # noqa: E402

atexit.register(detach)


def scrape(url):
    status, body = http_get(url + "/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    return parse_metrics(body)


def promtool_lint(url, checks):
    """promtool's linter on the live exposition at url; False when promtool is missing."""
    if not shutil.which("promtool"):
        return False
    status, body = http_get(url + "/metrics")
    lint = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True,
                          text=True)
    checks.check(lint.returncode == 0, "promtool check metrics finds no problem",
                 (lint.stdout + lint.stderr)[-1000:])
    return True


def transport_totals(samples, carrier):
    """Frames and bytes agentmon counted on one carrier, by direction."""
    out = {}
    for direction in ("sent", "received"):
        out[direction] = metric_sum(samples, "agent_transport_messages_total",
                                    carrier=carrier, direction=direction)
        out["bytes_" + direction] = metric_sum(samples, "agent_transport_bytes_total",
                                               carrier=carrier, direction=direction)
    return out


def free_port_base(count):
    """A base port with `count` free consecutive ports after it, so parallel
    tests (ctest -j) do not fight over agentbus's default 9999.."""
    import random
    import socket
    for _ in range(200):
        base = random.randrange(20000, 60000 - count)
        held = []
        try:
            for port in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                held.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no free port range")


def tool(name, package):
    """Path of a command-line tool that scripts/install-deps.sh installs; a missing
    one is a failed setup, not a reason to skip."""
    import shutil
    path = shutil.which(name)
    if not path:
        print(f"FAIL: {name} is missing; scripts/install-deps.sh --with-tests installs {package}")
        sys.exit(1)
    return path


def load_yaml(path=None, text=None, all_documents=False):
    """YAML as Python objects through yq (Debian's, a jq wrapper), which keeps the
    suite free of Python packages. all_documents returns every document of a stream."""
    args = [tool("yq", "yq"), "-c"] + (["-s"] if all_documents else []) + ["."]
    if path:
        args.append(path)
    out = subprocess.run(args, input=text, capture_output=True, text=True)
    if out.returncode != 0:
        raise ValueError(f"yq could not read {path or 'input'}: {out.stderr.strip()}")
    return json.loads(out.stdout) if out.stdout.strip() else None


def source_path(*parts):
    return os.path.join(SOURCE_DIR, *parts)
