// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Socket path: every frame that a watched agent task sends or receives on a Unix
 * stream, Unix datagram or TCP socket is decoded in the kernel and counted.
 *
 * Hooks are the sock_send_length/sock_recv_length tracepoints (kernel 6.3+),
 * which fire once per send or receive with the byte count. The bytes themselves
 * are found through the syscall's arguments in the task's saved user registers.
 * Each hook is a thin entry point over one handler; on older kernels user space
 * loads the syscall tracepoint twin instead (socket_syscalls.bpf.h), chosen by
 * feature probing, over the same handler.
 *
 * The socket and the saved registers are BTF pointers here: their fields are read
 * with direct loads, not BPF_CORE_READ, which is a bpf_probe_read_kernel call per
 * field (about 8 per send or receive before). Only the rare peer lookup uses it.
 */
#include <linux/bpf.h>
#include "vmlinux_min.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lib/comm_prefix.bpf.h"
#include "lib/task_scope.bpf.h"
#include "frame_walk.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Tasks whose comm starts with this are watched from their rename on, before user
 * space's discovery sees them: their first frames count too. Empty = off. */
const volatile char comm_prefix[16] = "AG_";

#define AF_UNIX	    1
#define AF_INET	    2
#define AF_INET6    10
#define SOCK_STREAM 1
#define SOCK_DGRAM  2
#define MSG_PEEK    2
/* The kernel's own limit (UIO_MAXIOV): every iovec of a valid call is walked. */
#define MAX_IOVECS  1024

/* Per socket: one walk state per direction, the drop count last seen, and whether
 * the process at the other end (Unix stream) is an agent. */
struct conn_state {
	struct walk_state dir[DIR_COUNT];
	__u32 drops_seen;
	__u32 intruder_uid;
	__u64 peer_checked_ns;
	__u32 intruder_tgid; /* 0: the peer is an agent, or not known */
	__u32 owner_tgid;    /* the agent process that receives on this socket */
	__u32 peer_tgid;     /* the process at the other end (Unix stream), 0 if not known */
};

/* The peer is looked up again this often: a peer that becomes an agent (renamed,
 * discovered) after connecting stops counting as an intruder within this time. */
#define PEER_RECHECK_NS 100000000ull

/* A Unix stream socket knows the process at its other end (on the listener's side,
 * the one that connected): frames from a process that is not an agent are counted
 * as UNAUTHORIZED, under its pid and uid, and never as agent traffic. */
static __always_inline void check_peer(struct sock *sk, struct conn_state *cs, struct walk_ctx *c,
				       const int twin)
{
	struct call_info *call = &c->pending->call;

	if (call->now - cs->peer_checked_ns > PEER_RECHECK_NS) {
		struct pid *peer = twin ? BPF_CORE_READ(sk, sk_peer_pid) : sk->sk_peer_pid;
		__u32 tgid = peer ? BPF_CORE_READ(peer, numbers[0].nr) : 0;

		cs->peer_checked_ns = call->now;
		cs->peer_tgid = tgid;
		cs->intruder_tgid = 0;
		if (tgid && !bpf_map_lookup_elem(&watched, &tgid)) {
			cs->intruder_tgid = tgid;
			cs->intruder_uid = BPF_CORE_READ(sk, sk_peer_cred, uid.val);
		}
	}
	call->intruder.tgid = cs->intruder_tgid;
	call->intruder.uid = cs->intruder_uid;
	call->intruder.carrier = call->carrier;
}

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct conn_state);
} conns SEC(".maps");

#include "socket_twin_state.bpf.h"

/*
 * Backlog, once per tick: every socket an agent has received on is visited by the
 * kernel's socket iterators and its receive queue length read where the kernel
 * keeps it. Kept per receive (and per Unix send, for the peer) before, it cost an
 * atomic swap on a line the sender and receiver share and a hash update each time
 * the length changed: most calls at batch 1.
 */
static __always_inline void write_backlog(struct seq_file *seq, struct sock *sk)
{
	struct conn_state *cs = bpf_sk_storage_get(&conns, sk, 0, 0);
	struct backlog_record r;

	if (socket_twin && !cs) {
		struct twin_conn *tc = bpf_map_lookup_elem(&twin_conns, &(__u64){(__u64)sk});

		cs = tc ? &tc->cs : 0;
	}
	if (!cs || !cs->owner_tgid)
		return;
	r.owner_tgid = cs->owner_tgid;
	r.packets = sk->sk_receive_queue.qlen;
	if (r.packets)
		bpf_seq_write(seq, &r, sizeof(r));
}

SEC("iter/unix")
int unix_backlog(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;

	if (u)
		write_backlog(ctx->meta->seq, &u->sk);
	return 0;
}

SEC("iter/tcp")
int tcp_backlog(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp = skc ? bpf_skc_to_tcp_sock(skc) : 0;

	if (tp)
		write_backlog(ctx->meta->seq, (struct sock *)tp);
	return 0;
}

static __always_inline int carrier_of(struct sock *sk, const int twin)
{
	__u16 family =
	    twin ? BPF_CORE_READ(sk, __sk_common.skc_family) : sk->__sk_common.skc_family;
	__u16 type = twin ? BPF_CORE_READ(sk, sk_type) : sk->sk_type;

	if (family == AF_UNIX)
		return type == SOCK_DGRAM ? CARRIER_DGRAM : type == SOCK_STREAM ? CARRIER_UNIX : -1;
	if ((family == AF_INET || family == AF_INET6) && type == SOCK_STREAM)
		return CARRIER_TCP;
	return -1;
}

#include "socket_buffers.bpf.h" /* finding and walking the bytes of a call */

/*
 * The one handler. `twin` is a constant: 0 for the sock_*_length entry points,
 * whose socket is a BTF pointer read with direct loads and whose syscall
 * arguments are in the saved registers; 1 for the syscall tracepoint twin, whose
 * socket is a plain address read with CO-RE probe reads and whose arguments
 * `twin_args` (with the socket file's inode number `ino`) were kept at entry; 2
 * for that twin on kernels without bpf_loop (before 5.17), which walks with
 * bounded loops instead.
 */
static __always_inline void handle_call(struct sock *sk, int ret, __u8 direction, const int twin,
					const struct syscall_args *twin_args, __u64 ino)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct watched_task *self = bpf_map_lookup_elem(&watched, &tid);

	/* The one test unwatched tasks pay. */
	if (!self)
		return;
	int carrier = carrier_of(sk, twin);

	if (carrier < 0)
		return;
	if (ret < 0) {
		count_syscall_error(-ret, carrier, direction);
		if (ret != -11 /* EAGAIN */)
			count_process_error(pid_tgid >> 32);
		return;
	}
	if (ret == 0)
		return;
	struct conn_state *cs =
	    twin ? twin_conn_of(sk, ino)
		 : bpf_sk_storage_get(&conns, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	__u32 dir = direction & 1;
	struct walk_ctx c = {
	    .win = bpf_map_lookup_elem(&window, &dir),
	    .pending = bpf_map_lookup_elem(&pending, &dir),
	};

	if (!cs || !c.win || !c.pending) {
		count_walk_event(WALK_CONN_STATE_FAILED, 1);
		return;
	}
	c.st = &cs->dir[direction & 1];
	struct call_info *call = &c.pending->call;
	__u32 tgid = pid_tgid >> 32;

	call->now = direction == DIR_RECEIVED ? bpf_ktime_get_ns() : 0;
	call->tgid = tgid;
	call->self_id = self->agent_id;
	call->self_type = call->self_id ? agent_type(call->self_id) : 0;
	call->carrier = carrier;
	call->direction = direction;
	call->intruder.tgid = 0;
	c.pending->memo.len = 0;
	c.pending->memo.latency_index = LATENCY_SLOTS;
	c.pending->memo.latency_bucket = 0;
	c.pending->memo.latency_run = 0;
	c.pending->memo.latency_sum = 0;
	c.pending->memo.genuine_source = 0;
	c.pending->quota_tgid = tgid;
	if (direction == DIR_RECEIVED && carrier == CARRIER_UNIX) {
		check_peer(sk, cs, &c, twin);
		/* A sender's new label sets use its own quota, not its receiver's. */
		if (cs->peer_tgid)
			c.pending->quota_tgid = cs->peer_tgid;
	}
	if (carrier == CARRIER_DGRAM)
		__builtin_memset(c.st, 0, sizeof(struct walk_state) - sizeof(c.st->hdr));
	if (direction == DIR_RECEIVED) {
		__u32 drops = twin ? BPF_CORE_READ(sk, sk_drops.counter) : sk->sk_drops.counter;

		if (drops != cs->drops_seen)
			count_walk_event(WALK_RCVQ_DROPS, drops - cs->drops_seen);
		cs->drops_seen = drops;
	}
	if (twin) {
		walk_syscall(&c, ret, twin_args, twin == 2);
	} else {
		struct syscall_args a;

		syscall_args_of_regs(&a);
		walk_syscall(&c, ret, &a, 0);
	}
	flush_pending(c.pending);
	if (direction == DIR_RECEIVED && cs->owner_tgid != tgid)
		cs->owner_tgid = tgid; /* for the backlog iterators */
	if (carrier == CARRIER_DGRAM && (c.st->need || c.st->have)) {
		/* A datagram is one frame: a frame cut short is malformed. */
		count_walk_event(WALK_MALFORMED, 1);
	}
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(on_sock_send, struct sock *sk, int ret, int flags)
{
	handle_call(sk, ret, DIR_SENT, 0, 0, 0);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(on_sock_recv, struct sock *sk, int ret, int flags)
{
	if (!(flags & MSG_PEEK))
		handle_call(sk, ret, DIR_RECEIVED, 0, 0, 0);
	return 0;
}

#include "socket_syscalls.bpf.h"

/* ---- the watched set, kept exact from an agent's first frame ----
 * Bodies in lib/watched_tasks.bpf.h. User space leaves these three unloaded when
 * the agent state path's object runs the same bodies on the shared map. */

SEC("tp_btf/task_rename")
int BPF_PROG(on_task_rename, struct task_struct *task, const char *comm)
{
	char name[16] = {};

	if (comm_has_prefix(comm, comm_prefix, name) && task_in_scope(task) &&
	    watched_on_agent_rename(task->pid))
		count_walk_event(WALK_WATCHED_FULL, 1);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_process_fork, struct task_struct *parent, struct task_struct *child)
{
	if (watched_on_fork(parent->pid, child->pid))
		count_walk_event(WALK_WATCHED_FULL, 1);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_process_exit, struct task_struct *task)
{
	watched_on_exit(task->pid);
	return 0;
}
