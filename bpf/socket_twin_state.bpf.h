/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The per-socket state of the socket path's syscall tracepoint twin
 * (socket_syscalls.bpf.h). Included by socket_trace.bpf.c after struct conn_state.
 */
#ifndef AGENTMON_SOCKET_TWIN_STATE_BPF_H
#define AGENTMON_SOCKET_TWIN_STATE_BPF_H

/* The syscall tracepoint twin's per-socket state: its programs cannot use socket
 * storage (tracing programs only), so a hash keyed by the socket's address keeps
 * it, with the socket file's inode number to tell a reused address. LRU: closed
 * sockets' entries go first; 16384 x 672 bytes, about 11 MiB, allocated at load
 * (only the twin's load: user space sets max_entries to 1 otherwise). */
struct twin_conn {
	struct conn_state cs;
	__u64 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct twin_conn);
} twin_conns SEC(".maps");

/* All zero: a new twin_conn's value (too large for the stack). Static: not part
 * of the skeleton user space sees. */
static const struct twin_conn twin_conn_zero = {};

/* Set by user space when it loads the twin: the backlog iterators look there. */
const volatile __u8 socket_twin = 0;

/* The twin's state for socket `sk` (`ino`: its file's inode number), created on
 * first use and reset when the address now belongs to another socket. */
static __always_inline struct conn_state *twin_conn_of(struct sock *sk, __u64 ino)
{
	__u64 key = (__u64)sk;
	struct twin_conn *tc = bpf_map_lookup_elem(&twin_conns, &key);

	if (!tc) {
		bpf_map_update_elem(&twin_conns, &key, &twin_conn_zero, BPF_NOEXIST);
		tc = bpf_map_lookup_elem(&twin_conns, &key);
		if (!tc)
			return 0;
	}
	if (tc->ino != ino) {
		__builtin_memset(&tc->cs, 0, sizeof(tc->cs));
		tc->ino = ino;
	}
	return &tc->cs;
}

#endif /* AGENTMON_SOCKET_TWIN_STATE_BPF_H */
