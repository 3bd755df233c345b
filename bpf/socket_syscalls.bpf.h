/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The socket path's twin for kernels without the sock_send_length/sock_recv_length
 * tracepoints (before 6.3): the per-syscall tracepoints of the ten calls that send
 * or receive on a socket. User space loads either these or the sock_*_length entry
 * points, never both; both are thin entry points over handle_call().
 *
 * At entry, a watched task's call on a socket keeps the socket and the call's
 * arguments under its thread id; at exit, the return value (the bytes moved, or
 * the error) goes with them to the handler. The socket is found from the file
 * descriptor through CO-RE reads of the task's file table: files->fdt->fd[fd],
 * a socket inode (S_IFSOCK), file->private_data (the struct socket), socket->sk.
 *
 * Costs over the sock_*_length hooks: every process's entry and exit of these
 * calls runs a program (an unwatched one pays one hash lookup at each), and a
 * watched task's call pays about eight probe reads and a hash update and delete.
 */
#ifndef AGENTMON_SOCKET_SYSCALLS_BPF_H
#define AGENTMON_SOCKET_SYSCALLS_BPF_H

#define S_IFMT	 00170000
#define S_IFSOCK 0140000

/* x86_64 syscall numbers. */
#define NR_READ	    0
#define NR_WRITE    1
#define NR_READV    19
#define NR_WRITEV   20
#define NR_SENDTO   44
#define NR_RECVFROM 45
#define NR_SENDMSG  46
#define NR_RECVMSG  47
#define NR_RECVMMSG 299
#define NR_SENDMMSG 307

/* A watched task's send or receive in progress, from entry to exit. */
struct twin_call {
	struct syscall_args args;
	__u64 sk;
	__u64 ino; /* the socket file's inode number */
	__u8 direction;
	__u8 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* thread id */
	__type(value, struct twin_call);
} twin_calls SEC(".maps");

/* The socket open at `fd` in the current task, and its inode number; 0 if `fd` is
 * not a socket. */
static __always_inline struct sock *socket_of_fd(__u64 fd, __u64 *ino)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = 0;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	if (bpf_probe_read_kernel(&file, sizeof(file), fds + fd) || !file)
		return 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	struct socket *sock = BPF_CORE_READ(file, private_data);

	*ino = BPF_CORE_READ(inode, i_ino);
	return BPF_CORE_READ(sock, sk);
}

/* `flags_arg`: which argument holds the receive flags (recvfrom(fd, buf, len,
 * flags, ...): 3, recvmsg(fd, msg, flags): 2), or -1. A constant per entry
 * point, read with literal indices: the kernel refuses to attach a program that
 * reads past the record of its syscall's own arguments (write's has 3), and the
 * verifier a ctx pointer moved by a variable index. */
static __always_inline void twin_enter(struct trace_event_raw_sys_enter *ctx, __u8 direction,
				       const int flags_arg)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!bpf_map_lookup_elem(&watched, &tid))
		return;
	long nr = ctx->id;
	/* A peek moves nothing, as sock_recv_length's handler skips it. */
	__u64 flags = flags_arg == 3 ? ctx->args[3] : flags_arg == 2 ? ctx->args[2] : 0;

	if (flags & MSG_PEEK)
		return;
	struct twin_call call = {
	    .args = {.arg1 = ctx->args[1], .arg2 = ctx->args[2], .nr = nr},
	    .direction = direction,
	};

	call.sk = (__u64)socket_of_fd((__u32)ctx->args[0], &call.ino);
	if (call.sk && bpf_map_update_elem(&twin_calls, &tid, &call, BPF_ANY))
		count_walk_event(WALK_CONN_STATE_FAILED, 1);
}

/* `twin` as handle_call takes it: 1, or 2 without bpf_loop. */
static __always_inline void twin_exit(struct trace_event_raw_sys_exit *ctx, const int twin)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct twin_call *found = bpf_map_lookup_elem(&twin_calls, &tid);

	if (!found)
		return;
	long ret = ctx->ret;
	__u32 nr = found->args.nr;

	if ((nr == NR_SENDMMSG || nr == NR_RECVMMSG) && ret > 0) {
		/* Messages moved that the walker cannot see, as on the main hooks
		 * (which fire once per message). */
		count_walk_event(WALK_UNSUPPORTED_SYSCALL, ret);
	} else {
		/* The handler reads the entry in place, deleted after it: only this thread
		 * writes its key, and a copy on the stack took the 32 bytes that 6.1's
		 * verifier, which counts bpf_loop callbacks into the caller's frames, found
		 * past the 512-byte stack with the walker's frame. */
		handle_call((struct sock *)found->sk, ret, found->direction, twin, &found->args,
			    found->ino);
	}
	bpf_map_delete_elem(&twin_calls, &tid);
}

/*
 * One exit program runs the handler (write's); the other nine tail-call into it
 * through this array (user space puts it in slot 0 after load), so the verifier
 * checks the walker once, not ten times: ten copies took minutes to load. The
 * sys_exit_* records share one layout.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} twin_exit_handler SEC(".maps");

#define TWIN_ENTER(name, direction, flags_arg)                                                     \
	SEC("?tracepoint/syscalls/sys_enter_" #name)                                               \
	int twin_enter_##name(struct trace_event_raw_sys_enter *ctx)                               \
	{                                                                                          \
		twin_enter(ctx, direction, flags_arg);                                             \
		return 0;                                                                          \
	}

#define TWIN_SYSCALL(name, direction, flags_arg)                                                   \
	TWIN_ENTER(name, direction, flags_arg)                                                     \
	SEC("?tracepoint/syscalls/sys_exit_" #name)                                                \
	int twin_exit_##name(struct trace_event_raw_sys_exit *ctx)                                 \
	{                                                                                          \
		bpf_tail_call(ctx, &twin_exit_handler, 0);                                         \
		return 0;                                                                          \
	}

TWIN_ENTER(write, DIR_SENT, -1)
SEC("?tracepoint/syscalls/sys_exit_write")
int twin_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	twin_exit(ctx, 1);
	return 0;
}
/* The same handler for kernels before 5.17 (no bpf_loop): user space loads one of
 * the two and puts it in twin_exit_handler. */
SEC("?tracepoint/syscalls/sys_exit_write")
int twin_noloop_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	twin_exit(ctx, 2);
	return 0;
}
TWIN_SYSCALL(writev, DIR_SENT, -1)
TWIN_SYSCALL(sendto, DIR_SENT, -1)
TWIN_SYSCALL(sendmsg, DIR_SENT, -1)
TWIN_SYSCALL(sendmmsg, DIR_SENT, -1)
TWIN_SYSCALL(read, DIR_RECEIVED, -1)
TWIN_SYSCALL(readv, DIR_RECEIVED, -1)
TWIN_SYSCALL(recvfrom, DIR_RECEIVED, 3)
TWIN_SYSCALL(recvmsg, DIR_RECEIVED, 2)
TWIN_SYSCALL(recvmmsg, DIR_RECEIVED, -1)

#endif /* AGENTMON_SOCKET_SYSCALLS_BPF_H */
