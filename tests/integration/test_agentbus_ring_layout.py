#!/usr/bin/env python3
"""The shm ring files agentbus creates follow docs/transport.md "Ring layout" byte for byte,
read from outside the way the collector reads them.

Triggers: a 3-agent ring-only run at 30k frames/s for 2.5 s.
Expects: 6 files /dev/shm/agent_ring_<ns>_<pid>_<n>; size and mask; the
producer and consumer ids are neighbours; head >= tail, both multiples of 8;
counters advance; records at the tail start with the AGEN magic (or a pad
record of magic 0); the files are gone after exit.
"""
import os
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

checks = harness.Checks()
ns = f"layout{os.getpid()}"
prefix = f"agent_ring_{ns}_"


def ring_files():
    return sorted(f for f in os.listdir("/dev/shm") if f.startswith(prefix))


def control(name):
    with open(f"/dev/shm/{name}", "rb") as f:
        data = f.read()
    head, = struct.unpack_from("<Q", data, 0)
    tail, = struct.unpack_from("<Q", data, 64)
    size, mask, producer, consumer = struct.unpack_from("<IIII", data, 128)
    msgs_w, bytes_w = struct.unpack_from("<QQ", data, 192)
    msgs_r, bytes_r = struct.unpack_from("<QQ", data, 256)
    return dict(head=head, tail=tail, size=size, mask=mask, producer=producer, consumer=consumer,
                msgs_written=msgs_w, bytes_written=bytes_w, msgs_read=msgs_r, bytes_read=bytes_r,
                file_size=len(data), data=data)


with tempfile.TemporaryDirectory(prefix="agentbus-ring-") as tmp:
    truth_path = os.path.join(tmp, "truth.json")
    cmd = [harness.binary("agentbus"), "--run-dir", tmp, "--truth", truth_path, "--agents", "3",
           "--carrier", "ring", "--rate", "30000", "--duration", "2.5", "--namespace", ns,
           "--ring-size", "65536"]
    with harness.background(cmd) as proc:
        files = harness.wait_for(lambda: ring_files() if len(ring_files()) == 6 else None, timeout=5)
        checks.equal(len(files or []), 6, "3 agents on a circle publish 6 rings")
        time.sleep(0.8)
        first = {f: control(f) for f in files or []}
        time.sleep(0.5)
        for f in files or []:
            pid, n = f[len(prefix):].split("_")
            checks.check(pid.isdigit() and n.isdigit(), f"{f}: name is <ns>_<pid>_<n>")
            c = control(f)
            checks.equal(c["size"], 65536, f"{f}: size")
            checks.equal(c["mask"], 65535, f"{f}: mask")
            checks.equal(c["file_size"], 4096 + 65536, f"{f}: file is 4096 + size bytes")
            checks.check(c["producer"] in (1, 2, 3) and c["consumer"] in (1, 2, 3)
                         and c["producer"] != c["consumer"], f"{f}: producer/consumer ids",
                         repr((c["producer"], c["consumer"])))
            checks.check(c["head"] >= c["tail"], f"{f}: head >= tail")
            checks.check(c["head"] - c["tail"] <= c["size"], f"{f}: head - tail <= size")
            checks.equal(c["head"] % 8, 0, f"{f}: head is 8-aligned")
            checks.check(c["msgs_written"] > first[f]["msgs_written"], f"{f}: msgs_written advances")
            checks.check(c["msgs_read"] > first[f]["msgs_read"], f"{f}: msgs_read advances")
            checks.check(c["bytes_written"] >= 232 * c["msgs_written"] - 232 * 64,
                         f"{f}: bytes_written counts 232-byte frames")
            pos = c["tail"] & c["mask"]
            if c["head"] > c["tail"]:
                magic, = struct.unpack_from("<I", c["data"], 4096 + pos)
                checks.check(magic in (0x4147454E, 0), f"{f}: record at tail is AGEN or a pad")
        checks.equal(proc.wait(timeout=30), 0, "run exits 0")
    checks.equal(ring_files(), [], "ring files removed at exit")

checks.finish()
