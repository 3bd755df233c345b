"""The loaded BPF programs as the kernel reports them (bpf_prog_info), read with
the bpf() syscall itself: Debian 12's bpftool (7.1) does not show how many
instructions the verifier processed, and that figure is what tells a program
near the verifier's limit of 1 000 000 before a kernel update refuses it."""

import ctypes
import os

BPF_SYSCALL = 321  # x86-64
BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD = 11, 13, 15
VERIFIER_LIMIT = 1_000_000

# Offsets in the kernel's uapi struct bpf_prog_info (linux/bpf.h), stable ABI.
INFO_SIZE, NAME_OFFSET, NAME_LEN, VERIFIED_INSNS_OFFSET = 232, 64, 16, 216

_libc = ctypes.CDLL(None, use_errno=True)


def _bpf(cmd, attr):
    return _libc.syscall(BPF_SYSCALL, cmd, ctypes.byref(attr), ctypes.sizeof(attr))


def verified_instructions():
    """{program name (truncated to 15 characters by the kernel): the most
    instructions the verifier processed for a loaded program of that name}."""
    found, prog_id = {}, 0
    while True:
        attr = (ctypes.c_uint32 * 36)()  # union bpf_attr, 144 bytes
        attr[0] = prog_id
        if _bpf(BPF_PROG_GET_NEXT_ID, attr) != 0:
            return found
        prog_id = attr[1]
        attr = (ctypes.c_uint32 * 36)()
        attr[0] = prog_id
        fd = _bpf(BPF_PROG_GET_FD_BY_ID, attr)
        if fd < 0:
            continue  # unloaded meanwhile
        try:
            info = (ctypes.c_uint8 * INFO_SIZE)()
            attr = (ctypes.c_uint32 * 36)()
            attr[0], attr[1] = fd, INFO_SIZE
            address = ctypes.addressof(info)
            attr[2], attr[3] = address & 0xFFFFFFFF, address >> 32
            if _bpf(BPF_OBJ_GET_INFO_BY_FD, attr) != 0:
                continue
            name = bytes(info[NAME_OFFSET:NAME_OFFSET + NAME_LEN]).split(b"\0")[0].decode()
            insns = int.from_bytes(bytes(info[VERIFIED_INSNS_OFFSET:VERIFIED_INSNS_OFFSET + 4]),
                                   "little")
            found[name] = max(found.get(name, 0), insns)
        finally:
            os.close(fd)


def check_verifier_margin(checks, names, label=""):
    """Each named program verified in under half the verifier's limit: the walker
    once sat at the limit, and a kernel update (6.18.44) then refused it."""
    seen = verified_instructions()
    for name in names:
        insns = seen.get(name, 0)
        checks.check(0 < insns < VERIFIER_LIMIT // 2,
                     f"{label}{name}: verified in {insns} instructions, under half the "
                     f"verifier's limit of {VERIFIER_LIMIT}")
