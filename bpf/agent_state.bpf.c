// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Agent state path: for every agent process, its CPU time, its threads' run-queue
 * delay and how it ended (exit status or killing signal), from scheduler and
 * process tracepoints. User space decides which processes are agents; the kernel
 * also marks a task the moment it takes an agent's name, and the threads and
 * children of marked tasks, so that short-lived and restarting agents are seen
 * before the next discovery scan.
 *
 * sched_switch and sched_stat_runtime fire thousands of times a second for every
 * task on the host. Agent threads carry task storage; every other task costs one
 * test of its (empty) storage pointer and nothing else.
 */
#include <linux/bpf.h>
#include "vmlinux_min.bpf.h"
#include "sched_min.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "abi/agent_state.h"
#include "lib/comm_prefix.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Tasks taking a name that starts with this are agents from then on. Empty = off. */
const volatile char comm_prefix[16] = "AG_";

#define E2BIG	     7
#define TASK_RUNNING 0

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct agent_task);
} agent_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AGENT_PROCS_MAX);
	__type(key, __u32);
	__type(value, struct agent_proc);
} agent_procs SEC(".maps");

/* Same bound: one counter entry per tracked process. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, AGENT_PROCS_MAX);
	__type(key, __u32);
	__type(value, struct agent_usage);
} agent_usage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AGENT_EV_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} agent_events SEC(".maps");

/* Initial values for new entries: globals, to keep 232 bytes off the BPF stack. */
const struct agent_usage zero_usage = {};
const struct agent_task zero_task = {};

static __always_inline void count_event(__u32 event)
{
	__u64 *n = bpf_map_lookup_elem(&agent_events, &event);

	if (n)
		*n += 1;
}

static __always_inline struct agent_task *mark_of(struct task_struct *task)
{
	return bpf_task_storage_get(&agent_tasks, task, 0, 0);
}

static __always_inline struct agent_usage *usage_of(struct task_struct *task)
{
	__u32 tgid = task->tgid;

	return bpf_map_lookup_elem(&agent_usage, &tgid);
}

/* Starts tracking the process of `task` (if not yet) under the name `comm`. */
static __always_inline void track_process(struct task_struct *task, const char *comm, __u32 how)
{
	struct task_struct___agent *t = (void *)task;
	__u32 tgid = t->tgid;
	struct agent_proc *known = bpf_map_lookup_elem(&agent_procs, &tgid);

	if (known) {
		/* A renamed agent keeps its entry; its name is the new one. */
		bpf_probe_read_kernel_str(known->comm, sizeof(known->comm), comm);
		return;
	}
	struct agent_proc proc = {.flags = how};

	proc.start_ns = BPF_CORE_READ(t, group_leader, start_time);
	bpf_probe_read_kernel_str(proc.comm, sizeof(proc.comm), comm);
	if (bpf_map_update_elem(&agent_procs, &tgid, &proc, BPF_NOEXIST) == -E2BIG)
		count_event(AGENT_EV_PROCS_FULL);
	if (bpf_map_update_elem(&agent_usage, &tgid, &zero_usage, BPF_NOEXIST) == -E2BIG)
		count_event(AGENT_EV_USAGE_FULL);
}

static __always_inline int mark(struct task_struct *task)
{
	if (!bpf_task_storage_get(&agent_tasks, task, (void *)&zero_task,
				  BPF_LOCAL_STORAGE_GET_F_CREATE)) {
		count_event(AGENT_EV_TASK_STORAGE_FAILED);
		return 0;
	}
	return 1;
}

SEC("tp_btf/task_rename")
int BPF_PROG(agent_rename, struct task_struct *task, const char *comm)
{
	char name[16] = {};

	if (!comm_has_prefix(comm, comm_prefix, name))
		return 0;
	if (mark(task))
		track_process(task, name, AGENT_PROC_FROM_RENAME);
	return 0;
}

/* Threads of an agent are part of it; a child process is an agent of its own. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(agent_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!mark_of(parent) || !mark(child))
		return 0;
	if (child->tgid != parent->tgid)
		track_process(child, ((struct task_struct___agent *)parent)->comm,
			      AGENT_PROC_FROM_FORK);
	return 0;
}

/* The scheduler's own runtime account, read where it has just been updated: exact,
 * and a thread marked late still counts the time it ran before. */
SEC("tp_btf/sched_stat_runtime")
int BPF_PROG(agent_runtime, struct task_struct *task)
{
	struct agent_task *mark = mark_of(task);

	if (!mark)
		return 0;
	__u64 total = ((struct task_struct___agent *)task)->se.sum_exec_runtime;

	if (total <= mark->runtime_seen)
		return 0;
	struct agent_usage *usage = usage_of(task);

	if (usage)
		usage->cpu_ns += total - mark->runtime_seen;
	mark->runtime_seen = total;
	return 0;
}

static __always_inline void queued(struct task_struct *task)
{
	struct agent_task *mark = mark_of(task);

	if (mark)
		mark->queued_at = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(agent_wakeup, struct task_struct *task)
{
	queued(task);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(agent_wakeup_new, struct task_struct *task)
{
	queued(task);
	return 0;
}

/* floor(log2(v)) for v > 0, in shifts (no clz instruction in BPF). */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	return r + (v >> 1);
}

/* The slot whose bound 2^slot us is the smallest >= delay. */
static __always_inline __u32 runq_slot(__u64 delay_ns)
{
	__u64 us = delay_ns / 1000;
	__u32 slot = us <= 1 ? 0 : log2_u64(us - 1) + 1;

	return slot < RUNQ_SLOTS - 1 ? slot : RUNQ_SLOTS - 1;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(agent_switch, _Bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct agent_task *mark = mark_of(prev);
	__u64 now = 0;

	/* Preempted, or yielding while runnable: it waits in the run queue from now. */
	if (mark) {
		/* A direct load: prev is a trusted BTF pointer, no probe-read helper needed. */
		unsigned int state = ((struct task_struct___agent *)prev)->__state;

		now = bpf_ktime_get_ns();
		mark->queued_at = preempt || state == TASK_RUNNING ? now : 0;
	}
	mark = mark_of(next);
	if (!mark || !mark->queued_at)
		return 0;
	if (!now)
		now = bpf_ktime_get_ns();
	__u64 delay = now > mark->queued_at ? now - mark->queued_at : 0;
	struct agent_usage *usage = usage_of(next);

	mark->queued_at = 0;
	if (!usage)
		return 0;
	__u32 slot = runq_slot(delay);

	if (slot < RUNQ_SLOTS)
		usage->runq[slot] += 1;
	usage->runq_sum_ns += delay;
	return 0;
}

/* The last thread of an agent process leaving records how the process ended. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(agent_exit, struct task_struct *task)
{
	struct task_struct___agent *t = (void *)task;

	if (!mark_of(task))
		return 0;
	/* do_exit() decrements signal->live before this tracepoint; 0 = the group is
	 * dead (6.16 also passes group_dead, older kernels do not). */
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return 0;
	__u32 tgid = t->tgid;
	struct agent_proc *proc = bpf_map_lookup_elem(&agent_procs, &tgid);

	if (!proc)
		return 0;
	proc->exit_code = t->exit_code;
	proc->exit_ns = bpf_ktime_get_ns();
	proc->flags |= AGENT_PROC_EXITED;
	return 0;
}
