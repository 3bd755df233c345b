"""Processes that act as agents for the hostile-process live tests: they take an
AG_* name (as any unprivileged process can) and write AGEN frames, real or forged,
over a Unix stream socket to a sink that reads everything.

Each helper runs as its own process: `python3 hostile_agents.py ROLE ARGS...`.
Roles: `sink PATH [COMM]` (a reader, no agent unless COMM is an AG_* name;
prints "ready"; a line `send PATH KEYS BASE` on stdin makes it write KEYS frames
of its own, source SECURITY, each a new label set, to PATH and print "sent"), `real COMM PATH N FAKES`
(N valid frames with FAKES forged headers spread among them: a good magic, a bad
CRC and payload_len 1 MiB), `flood COMM PATH KEYS BASE` (KEYS frames, each with
a label set never seen before: target ids BASE.., so every frame is a new key),
`ring_spoof COMM PRODUCER CLAIMED N` (maps a ring file whose control block names
agent PRODUCER as its producer and writes N frames into it claiming source
CLAIMED; prints "ready", keeps the ring until stdin closes).
"""

import ctypes
import os
import socket
import struct
import sys
import time

MAGIC = 0x4147454E
HEADER = 168


def _table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def frame(source, target, sequence, payload_len=0, msg_type=3, priority=2, good_crc=True):
    """One AGEN frame: header (and payload_len zero bytes unless forged)."""
    head = struct.pack("<IHHIIQQII", MAGIC, 1, 0, msg_type, priority, time.monotonic_ns(),
                       sequence, source, 1)
    head += struct.pack("<16I", target, *([0] * 15)) + struct.pack("<I", payload_len)
    crc = crc32c(head) if good_crc else (crc32c(head) ^ 0xDEADBEEF)
    return head + struct.pack("<I", crc) + bytes(HEADER - 112)


def take_name(comm):
    ctypes.CDLL(None).prctl(15, comm.encode(), 0, 0, 0)


def sink(path, comm="not_an_agent"):
    take_name(comm)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    print("ready", flush=True)
    conns = []
    server.setblocking(False)
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(server, selectors.EVENT_READ)
    sel.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is sys.stdin:
                line = sys.stdin.readline()
                if not line:
                    return
                if line.startswith("send "):
                    send_keys(*line.split()[1:])
            elif key.fileobj is server:
                conn, _ = server.accept()
                conns.append(conn)
                sel.register(conn, selectors.EVENT_READ)
            elif not key.fileobj.recv(1 << 16):
                sel.unregister(key.fileobj)


def connect(comm, path):
    take_name(comm)
    time.sleep(1.0)  # a few ticks: discovery identifies this process first
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def real(comm, path, count, fakes):
    s = connect(comm, path)
    source = int(os.environ.get("SOURCE_ID", "3"))
    every = count // fakes if fakes else count + 1
    batch = []
    for i in range(count):
        batch.append(frame(source, 1, i + 1))
        if fakes and i % every == every - 1:
            # A forged header, alone in its own write after the batch.
            s.sendall(b"".join(batch))
            batch = []
            s.sendall(frame(source, 1, 0, payload_len=1 << 20, good_crc=False))
        elif len(batch) == 32:
            s.sendall(b"".join(batch))
            batch = []
    s.sendall(b"".join(batch))
    s.close()
    print("done", flush=True)


def send_keys(path, keys, base, targets=None):
    """The sink's own frames (source SECURITY): KEYS frames to PATH, to targets
    BASE.. (one new target per frame, or TARGETS targets in turn)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    spread = int(targets) if targets else int(keys)
    frames = [frame(3, int(base) + i % spread, i + 1, good_crc=False) for i in range(int(keys))]
    for i in range(0, len(frames), 64):
        s.sendall(b"".join(frames[i:i + 64]))
    s.close()
    print("sent", flush=True)


def flood(comm, path, keys, base):
    s = connect(comm, path)
    source = int(os.environ.get("SOURCE_ID", "5"))
    batch = []
    for i in range(keys):
        # Whole frames in each blocking write, so the walker never needs their CRC
        # (and pure-Python CRCs of 150000 headers would take longer than the test).
        batch.append(frame(source, base + i, i + 1, good_crc=False))
        if len(batch) == 64:
            s.sendall(b"".join(batch))
            batch = []
    s.sendall(b"".join(batch))
    s.close()
    print("done", flush=True)


def ring_spoof(comm, producer, claimed, count):
    import mmap
    take_name(comm)
    size = 1 << 16
    path = f"/dev/shm/agent_ring_hostile_{os.getpid()}_0"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.ftruncate(fd, 4096 + size)
    m = mmap.mmap(fd, 4096 + size)
    os.close(fd)
    struct.pack_into("<IIII", m, 128, size, size - 1, producer, 3)  # consumer SECURITY
    for i in range(count):
        m[4096 + i * HEADER:4096 + (i + 1) * HEADER] = frame(claimed, 3, i + 1)
    struct.pack_into("<QQ", m, 192, count, count * HEADER)  # msgs and bytes written
    struct.pack_into("<Q", m, 0, count * HEADER)  # head: published last
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        os.unlink(path)


if __name__ == "__main__":
    role, args = sys.argv[1], sys.argv[2:]
    if role == "sink":
        sink(*args)
    elif role == "real":
        real(args[0], args[1], int(args[2]), int(args[3]))
    elif role == "flood":
        flood(args[0], args[1], int(args[2]), int(args[3]))
    elif role == "ring_spoof":
        ring_spoof(args[0], int(args[1]), int(args[2]), int(args[3]))
