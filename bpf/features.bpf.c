// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Feature probes for `agentmon check`: one tiny program per attach type the
 * collector relies on. User space turns autoload off for all of them and loads,
 * attaches and triggers them one at a time, so a refusal names the exact attach
 * type. Each program only counts hits of agentmon's own process (self_tgid).
 */
#include <linux/bpf.h>
#include "vmlinux_min.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "abi/features_shared.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space between open and load. */
const volatile __u32 self_tgid = 0;
const volatile __u64 probe_addr = 0; /* address of an 8-byte value in agentmon */

/* One slot per program; per-CPU so concurrent hits never contend. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FEATURE_HIT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* The smallest ring buffer (one page); the probe sends a handful of records and a
 * full ring only drops them, which user space reports as "no event seen". */
#define FEATURE_RINGBUF_BYTES 4096
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FEATURE_RINGBUF_BYTES);
} events SEC(".maps");

struct feature_iter_result iter_result = {};

static __always_inline void count(__u32 slot)
{
	__u64 *value = bpf_map_lookup_elem(&hits, &slot);

	if (value)
		*value += 1;
}

static __always_inline int is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(probe_sock_send, struct sock *sk, int ret, int flags)
{
	if (is_self())
		count(FEATURE_HIT_SOCK_SEND);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(probe_sock_recv, struct sock *sk, int ret, int flags)
{
	if (is_self())
		count(FEATURE_HIT_SOCK_RECV);
	return 0;
}

SEC("raw_tp/sys_enter")
int probe_raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	if (is_self())
		count(FEATURE_HIT_RAW_SYS_ENTER);
	return 0;
}

SEC("tp/syscalls/sys_enter_sendmsg")
int probe_syscall_tp(struct trace_event_raw_sys_enter *ctx)
{
	struct feature_event *event;

	if (!is_self())
		return 0;
	count(FEATURE_HIT_SYSCALL_TP);
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event)
		return 0;
	event->tgid = self_tgid;
	event->hit = FEATURE_HIT_SYSCALL_TP;
	event->arg0 = BPF_CORE_READ(ctx, args[0]);
	bpf_ringbuf_submit(event, 0);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(probe_sched_switch, _Bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (prev->tgid == self_tgid)
		count(FEATURE_HIT_SCHED_SWITCH);
	return 0;
}

/* Only the first argument is read, so the kernel may append more (6.16 added group_dead).
 * User space triggers it by forking a child that exits at once. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(probe_process_exit, struct task_struct *task)
{
	if (BPF_CORE_READ(task, real_parent, tgid) == self_tgid)
		count(FEATURE_HIT_PROCESS_EXIT);
	return 0;
}

/* Sleepable task iterator: the ring-buffer path reads shm rings this way. */
SEC("iter.s/task")
int probe_task_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 value = 0;
	long err;

	if (!task || task->tgid != self_tgid || task->pid != self_tgid)
		return 0;
	err = bpf_copy_from_user_task(&value, sizeof(value), (void *)probe_addr, task, 0);
	iter_result.value = value;
	iter_result.err = err;
	count(FEATURE_HIT_TASK_ITER);
	return 0;
}

SEC("sockops")
int probe_sockops(struct bpf_sock_ops *skops)
{
	/* Runs for every TCP socket in the cgroup while attached; counting any
	 * callback proves the attach type works. */
	count(FEATURE_HIT_SOCKOPS);
	return 1;
}
