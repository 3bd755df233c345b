/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The bytes one send or receive moved: its buffer, or its iovec array (readv,
 * writev, sendmsg, recvmsg), found from the syscall's arguments and handed to the
 * frame walker buffer by buffer. Part of socket_trace.bpf.c (one object).
 */
#ifndef AGENTMON_SOCKET_BUFFERS_BPF_H
#define AGENTMON_SOCKET_BUFFERS_BPF_H

#include "frame_walk.bpf.h"

struct user_msghdr_head {
	__u64 name;
	__u32 namelen;
	__u32 pad;
	__u64 iov;
	__u64 iovlen;
};

struct iov_ctx {
	struct walk_ctx *walk;
	__u64 iov;
	__u64 count;
	__u32 left;
	__u32 first; /* index of v[0] */
	__u32 held;  /* iovecs in v[] */
	__u32 pad;
	struct user_iovec *v; /* the call's pending->iov */
};

static __always_inline long walk_iovec_body(__u32 i, struct iov_ctx *x, const int noloop)
{
	if (i >= x->count || !x->left)
		return 1;
	if (i - x->first >= x->held) {
		__u64 n = x->count - i < IOV_BATCH ? x->count - i : IOV_BATCH;
		__u64 size = n * sizeof(x->v[0]);

		asm volatile("" : "+r"(size)); /* bound the value the call takes */
		if (size > IOV_BATCH * sizeof(x->v[0]))
			size = IOV_BATCH * sizeof(x->v[0]);
		if (bpf_probe_read_user(x->v, size, (void *)(x->iov + i * sizeof(x->v[0])))) {
			count_walk_event(WALK_READ_FAILED, 1);
			return 1;
		}
		x->first = i;
		x->held = n;
	}
	struct user_iovec *v = &x->v[(i - x->first) & (IOV_BATCH - 1)];
	__u32 len = v->len < x->left ? v->len : x->left;

	x->left -= len;
	x->walk->rest = x->left;
	walk_buffer(x->walk, v->base, len, noloop, 1);
	return 0;
}

static long walk_iovec(__u32 i, struct iov_ctx *x)
{
	return walk_iovec_body(i, x, 0);
}

/* Without bpf_loop, the iovecs a call's walk follows: the rest are counted as
 * WALK_TRUNCATED (agents send a frame in one or two). */
#define NOLOOP_IOVECS 16

/* The send or receive syscall in progress: its number, and its buffer (or iovec
 * array, or msghdr) and iovec count. */
struct syscall_args {
	__u64 arg1;
	__u64 arg2;
	__u32 nr;
	__u32 pad;
};

/* Finds the buffer(s) of the send or receive syscall `a` and walks them. */
static __always_inline void walk_syscall(struct walk_ctx *c, __u32 bytes,
					 const struct syscall_args *a, const int noloop)
{
	long nr = a->nr;
	__u64 arg1 = a->arg1;
	struct iov_ctx x = {.walk = c, .left = bytes, .v = c->pending->iov};

	switch (nr) {
	case 0:	 /* read */
	case 1:	 /* write */
	case 44: /* sendto */
	case 45: /* recvfrom */
		walk_buffer(c, arg1, bytes, noloop, NOLOOP_WALK_ROUNDS);
		return;
	case 19: /* readv */
	case 20: /* writev */
		x.iov = arg1;
		x.count = a->arg2;
		break;
	case 46:   /* sendmsg */
	case 47: { /* recvmsg */
		/* Read into the iovec batch, free until the walk: off the stack too. */
		struct user_msghdr_head *msg = (void *)x.v;

		if (bpf_probe_read_user(msg, sizeof(*msg), (void *)arg1)) {
			count_walk_event(WALK_READ_FAILED, 1);
			return;
		}
		x.iov = msg->iov;
		x.count = msg->iovlen;
		break;
	}
	default:
		/* sendmmsg, io_uring, splice...: bytes moved that the walker cannot see. */
		count_walk_event(WALK_UNSUPPORTED_SYSCALL, 1);
		return;
	}
	if (noloop) {
		for (__u32 i = 0; i < NOLOOP_IOVECS; i++)
			if (walk_iovec_body(i, &x, 1))
				break;
	} else {
		bpf_loop(MAX_IOVECS, walk_iovec, &x, 0);
	}
	if (x.left && x.count > (noloop ? NOLOOP_IOVECS : MAX_IOVECS))
		truncate_walk(c->st); /* bytes in iovecs past the limit: not walked */
}

/* The syscall's arguments from the task's saved user registers. */
static __always_inline void syscall_args_of_regs(struct syscall_args *a)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	a->nr = regs->orig_ax;
	a->arg1 = regs->si;
	a->arg2 = regs->dx;
}

#endif /* AGENTMON_SOCKET_BUFFERS_BPF_H */
