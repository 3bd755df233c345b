#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Small, meaningful inputs: the shipped config and the examples of docs/cli.md and
docs/metrics.md, configs with each kind of mistake the loader must report, frame
specs with frames they describe, AGEN streams (valid, batched, corrupt, cut),
and ring images, synthetic and, with --agentbus BIN, real ones copied from the
rings a running agentbus writes. Deterministic apart from those real images.

Usage: tests/fuzz/make_seeds.py [--agentbus build/bin/agentbus]
Regression seeds (inputs that once crashed, named regress-*) are added by hand
and never rewritten here.
"""

import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..")
CORPUS = os.path.join(HERE, "corpus")

AGEN_MAGIC = 0x4147454E
HEADER = 168
RING_DATA_OFFSET = 4096


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def agen_frame(msg_type=1, source=1, targets=(2,), payload=b"x" * 64, sequence=1, flags=0,
               timestamp=1_000_000_000, crc_ok=True):
    """An AGEN frame as userspace/wire/agen_frame.cpp seals it."""
    t = list(targets) + [0] * (16 - len(targets))
    head = struct.pack("<IHHIIQQII16II", AGEN_MAGIC, 1, flags, msg_type, 2, timestamp, sequence,
                       source, len(targets), *t, len(payload))
    crc = crc32c(head)
    if not crc_ok:
        crc ^= 1
    return head + struct.pack("<I", crc) + bytes(56) + payload


def ufp3_frame(msg_type=1, source=1, targets=(2,), payload=b"y" * 32):
    head = struct.pack("<HBBHBBIIHBBI", 0x4147, 3, 0, msg_type, 2, 0, 7, 1234, source,
                       len(targets), 0, len(payload))
    crc = crc32c(head)
    head += struct.pack("<I", crc) + bytes(36)
    return head + b"".join(struct.pack("<H", t) for t in targets) + payload


def pad8(b):
    return b + bytes(-len(b) % 8)


def ring_image(size, records, tail_records=0, pad_at_end=False, head_extra=0):
    """A ring file: control block (docs/transport.md "Ring layout") and data area."""
    data = bytearray(size)
    pos = 0
    msgs = nbytes = 0
    tail = read_msgs = read_bytes = 0
    for i, frame in enumerate(records):
        rec = pad8(frame)
        if pos % size + len(rec) > size:  # pad to the end, as the producer does
            pos += size - pos % size
        off = pos % size
        data[off:off + len(rec)] = rec
        pos += len(rec)
        msgs += 1
        nbytes += len(frame)
        if i < tail_records:
            tail, read_msgs, read_bytes = pos, msgs, nbytes
    head = pos + head_extra
    ctl = bytearray(RING_DATA_OFFSET)
    struct.pack_into("<Q", ctl, 0, head)
    struct.pack_into("<Q", ctl, 64, tail)
    struct.pack_into("<IIII", ctl, 128, size, size - 1, 1, 2)
    struct.pack_into("<QQ", ctl, 192, msgs, nbytes)
    struct.pack_into("<QQ", ctl, 256, read_msgs, read_bytes)
    return bytes(ctl) + bytes(data)


def ring_records(image, slot=0, generation=1, windows=4, read_ns=3_000_000_000):
    """What bpf/ring_reader.bpf.c leaves in its ring buffer for one ring image."""
    ctl = image[:272]
    head, = struct.unpack_from("<Q", image, 0)
    tail, = struct.unpack_from("<Q", image, 64)
    size, = struct.unpack_from("<I", image, 128)
    data = image[RING_DATA_OFFSET:]
    hol = data[tail % size:tail % size + 128].ljust(128, b"\0") if tail < head else bytes(128)
    control = struct.pack("<IIIIQQiIQII", 1, slot, generation, 0, read_ns, head, 0,
                          1 if tail < head else 0, tail, windows, 0) + ctl + hol
    out = [control]
    pos = 0 if head <= size else head - size
    for _ in range(windows):
        if pos >= head:
            break
        off = pos % size
        n = min(4096, size - off, head - pos)
        out.append(struct.pack("<IIQII", 2, slot, pos, n, generation) +
                   data[off:off + n].ljust(4096, b"\0"))
        pos += n
    return b"".join(struct.pack("<H", len(r)) + r for r in out)


def write(target, name, content):
    path = os.path.join(CORPUS, target, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    with open(path, "wb") as f:
        f.write(content)


def config_seeds():
    with open(os.path.join(SOURCE, "deploy", "agentmon.json"), "rb") as f:
        write("fuzz_config", "deploy-agentmon.json", f.read())
    write("fuzz_config", "cli-minimal.json",
          '{"listen": "127.0.0.1:9465", "tick": "1s", "log_format": "json"}\n')
    full_spec = {
        "magic": 1095189838, "magic_width": 4, "magic_endian": "little",
        "header_size": 168, "target_stride": 0, "max_payload": 16777216, "max_targets": 16,
        "reply_flag": 1, "timestamp_unit": "ns",
        "flags": {"offset": 6, "width": 2}, "msg_type": {"offset": 8, "width": 4},
        "priority": {"offset": 12, "width": 4}, "timestamp": {"offset": 16, "width": 8},
        "sequence": {"offset": 24, "width": 8}, "source": {"offset": 32, "width": 4},
        "target_count": {"offset": 36, "width": 4}, "target": {"offset": 40, "width": 4},
        "payload_len": {"offset": 104, "width": 4, "endian": "little"}}
    write("fuzz_config", "cli-full-frame-spec.json", json.dumps({"frame_spec": full_spec}))
    write("fuzz_config", "metrics-agent-rules.json", json.dumps({
        "agent_rules": [
            {"comm": "AG_*"},
            {"exe": "/opt/bus/bin/director*", "agent_type": "DIRECTOR", "agent_id": 57},
            {"cmdline": "python3 */monitor.py*", "agent_type": "MONITOR"},
            {"cgroup": "/system.slice/bus-*.service", "env": "AGENT_TYPE=WEB",
             "agent_type": "WEB"}],
        "agents": [{"id": 29, "type": "DIRECTOR", "name": "director-eu"}]}))
    write("fuzz_config", "ufp3-ipv6.json", json.dumps({
        "frame_spec": {"preset": "ufp3", "max_targets": 8, "timestamp_unit": "ms"},
        "listen": "[::1]:9465", "tick": "500ms", "ring_path": False,
        "request_types": ["REQUEST", "TASK"], "request_timeout_seconds": 2.5,
        "series_budget": {"default": 100}}))
    write("fuzz_config", "bad-cli-example.json", '{"lisen": ":9465", "tick": "fortnightly"}')
    write("fuzz_config", "bad-types.json", json.dumps({
        "listen": 9465, "tick": "0s", "log_level": "loud", "pin_dir": "/sys/fs/bpf/../../etc",
        "ring_path": {"sample_windows": 4294967300, "file_prefix": "rel/", "x": 1},
        "frame_spec": {"magic": 0, "source": {"offset": 200, "width": 3}},
        "latency_buckets_seconds": [0.5, 0.1], "size_buckets_bytes": [],
        "agent_rules": [], "agents": [{"id": 0}], "series_budget": {"nope": -1},
        "request_types": ["PING"], "request_timeout_seconds": 0, "agent_path": "yes"}))
    write("fuzz_config", "bad-too-deep.json", '{"agents": ' + "[" * 70 + "]" * 70 + "}")
    write("fuzz_config", "bad-syntax.json", '{"listen": "127.0.0.1:9465",')
    write("fuzz_config", "bad-many-problems.json",
          json.dumps({f"unknown_{i}": i for i in range(30)}))


def web_config_seeds():
    with open(os.path.join(SOURCE, "deploy", "web-config.yml"), "rb") as f:
        write("fuzz_web_config", "deploy-web-config.yml", f.read())
    hash_ = "$2b$04$fTWlLzh4p/bmAsmXULxP0.T2gHrvkHX4FQ9fiK/cap3Q3qRVz3aie"
    write("fuzz_web_config", "tls-and-users.yml",
          "tls_server_config:\n  cert_file: server.crt\n  key_file: /etc/agentmon/server.key\n"
          "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
          "  min_version: TLS12\n  max_version: TLS13\n"
          f"basic_auth_users:\n  prometheus: {hash_}\n  'grafana': \"{hash_}\"\n")
    write("fuzz_web_config", "flow-style.yml",
          "{tls_server_config: {cert_file: a.crt, key_file: a.key}, basic_auth_users: {}}\n")
    write("fuzz_web_config", "anchors.yml",
          f"basic_auth_users:\n  a: &h {hash_}\n  b: *h\n")
    write("fuzz_web_config", "bad-toolkit-keys.yml",
          "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n"
          "http_server_config:\n  http2: true\n")
    write("fuzz_web_config", "bad-versions.yml",
          "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n"
          "  max_version: TLS10\n  client_ca_file: c\n")
    write("fuzz_web_config", "bad-users.yml",
          "basic_auth_users:\n  'a:b': x\n  '': y\n  c: [1]\n  d: $2y$99$short\n  d: again\n")
    write("fuzz_web_config", "bad-syntax.yml", "tls_server_config: [\n  cert_file: {\n")
    write("fuzz_web_config", "bad-too-deep.yml", "a: " + "[" * 200 + "]" * 200 + "\n")


def frame_spec_seeds():
    frames = agen_frame() + agen_frame(2, 2, (1,), b"", 1, 1) + agen_frame(3, 1, (2, 3, 4), b"z" * 100)
    write("fuzz_frame_spec", "agen-frames", b'"agen"\0' + b"".join(pad8(f) for f in [
        agen_frame(), agen_frame(2, 2, (1,), b"", 1, 1), agen_frame(3, 1, (2, 3, 4), b"z" * 100)]))
    write("fuzz_frame_spec", "ufp3-frames", b'"ufp3"\0' + b"".join(pad8(f) for f in [
        ufp3_frame(), ufp3_frame(2, 3, (1, 2), b""), ufp3_frame(8, 4, (), b"q" * 10)]))
    custom = {"preset": "agen", "magic_endian": "big", "magic": 0x4E454741,
              "msg_type": {"offset": 8, "width": 1}, "source": {"offset": 33, "width": 2,
                                                                 "endian": "big"},
              "timestamp_unit": "us"}
    write("fuzz_frame_spec", "custom-overrides", json.dumps(custom).encode() + b"\0" + frames)
    tiny = {"magic": 0xBEEF, "magic_width": 2, "header_size": 8, "max_payload": 64,
            "payload_len": {"offset": 2, "width": 2}, "source": {"offset": 4, "width": 1},
            "msg_type": {"offset": 5, "width": 1}, "sequence": {"offset": 6, "width": 2}}
    tiny_frames = b"".join(pad8(struct.pack("<HHBBH", 0xBEEF, n, 1, 2, n) + b"p" * n)
                           for n in (0, 5, 13, 64))
    write("fuzz_frame_spec", "custom-tiny", json.dumps(tiny).encode() + b"\0" + tiny_frames)
    write("fuzz_frame_spec", "bad-spec", b'{"magic": 0, "msg_type": {"offset": 130, "width": 8}}')


def stream_seeds():
    frames = [agen_frame(t, 1 + t % 28, (2,), b"m" * (t * 9), t) for t in range(1, 16)]
    write("fuzz_agen_stream", "one-frame", b"\0\0" + frames[0])
    write("fuzz_agen_stream", "batch-split", b"\x07\x01" + b"".join(frames))
    write("fuzz_agen_stream", "garbage-between", b"\x33\x00" + b"NEG" + frames[1] + b"AGEN\x4eE" +
          frames[2] + b"\x4e" * 9 + frames[3])
    write("fuzz_agen_stream", "bad-crc", b"\x01\x00" + agen_frame(crc_ok=False) + frames[4])
    write("fuzz_agen_stream", "cut-last", b"\x09\x09" + frames[5] + frames[6][:100])
    write("fuzz_agen_stream", "reply-empty", b"\x02\x00" + agen_frame(2, 3, (1,), b"", 9, 1))


def ring_seeds():
    frames = [agen_frame(1 + i % 15, 1 + i % 28, (2,), b"r" * (8 + 13 * i), i) for i in range(12)]
    images = {
        "synthetic-half-read": ring_image(4096, frames[:8], tail_records=3),
        "synthetic-wrapped-pad": ring_image(4096, frames + frames[:6], tail_records=12),
        "synthetic-empty": ring_image(4096, []),
        "synthetic-all-read": ring_image(8192, frames, tail_records=12),
        "bad-head-past-data": ring_image(4096, frames[:4], tail_records=1, head_extra=4096 * 3),
    }
    for name, image in images.items():
        for target in ("fuzz_ring_file", "fuzz_agen_ring"):
            write(target, name, image)
        write("fuzz_ring_records", name, ring_records(image))


def agentbus_ring_seeds(agentbus):
    """Copies the ring files of a short ring-only agentbus run (3 agents, 6 rings)."""
    import fcntl
    lock = open(os.environ.get("AGENTMON_TEST_LOCK", "/tmp/agentmon-tests.lock"), "a+")
    fcntl.flock(lock, fcntl.LOCK_EX)  # agentbus's agents are traffic to every agentmon
    ns = f"fuzzseed{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        bus = subprocess.Popen([agentbus, "--agents", "3", "--carrier", "ring", "--rate", "3000",
                                "--duration", "3", "--namespace", ns, "--ring-size", "8192",
                                "--payload", "16:200", "--run-dir", tmp, "--seed", "7"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        copied = []
        deadline = time.time() + 10
        while time.time() < deadline and len(copied) < 2:
            time.sleep(1.0)
            for path in sorted(glob.glob(f"/dev/shm/agent_ring_{ns}_*"))[:2 - len(copied)]:
                with open(path, "rb") as f:
                    copied.append(f.read())
        bus.wait(timeout=30)
    for i, image in enumerate(copied):
        for target in ("fuzz_ring_file", "fuzz_agen_ring"):
            write(target, f"agentbus-ring-{i}", image)
        write("fuzz_ring_records", f"agentbus-ring-{i}", ring_records(image))
    return len(copied)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agentbus", help="agentbus binary: also copy real ring images")
    args = parser.parse_args()
    config_seeds()
    web_config_seeds()
    frame_spec_seeds()
    stream_seeds()
    ring_seeds()
    if args.agentbus:
        n = agentbus_ring_seeds(args.agentbus)
        print(f"copied {n} ring images from agentbus")
        if n == 0:
            sys.exit("agentbus left no ring file to copy")


if __name__ == "__main__":
    main()
