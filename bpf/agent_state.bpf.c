// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Agent state path: for every agent process, its CPU time, its threads' run-queue
 * delay, resident memory and thread count, and how it ended (exit status or
 * killing signal). User space decides which processes are agents; the kernel
 * also marks a task the moment it takes an agent's name, and the threads and
 * children of marked tasks, so that short-lived and restarting agents are seen
 * before the next discovery scan.
 *
 * No program here runs per context switch. The counters the scheduler keeps
 * anyway (se.sum_exec_runtime, sched_info.run_delay and pcount, the mm's RSS
 * counters) are read once per collection tick by a task iterator (agent_sample);
 * only rare events are hooked: task_rename, sched_process_fork and
 * sched_process_exit. These hooks also keep the socket path's watched set
 * (lib/watched_tasks.bpf.h), so the collector runs one program per task event.
 */
#include <linux/bpf.h>
#include "vmlinux_min.bpf.h"
#include "sched_min.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "abi/agent_state.h"
#include "lib/comm_prefix.bpf.h"
#include "lib/task_scope.bpf.h"
#include "lib/watched_tasks.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Tasks taking a name that starts with this are agents from then on. Empty = off. */
const volatile char comm_prefix[16] = "AG_";

#define E2BIG 7

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

	if (!comm_has_prefix(comm, comm_prefix, name) || !task_in_scope(task))
		return 0;
	if (watched_on_agent_rename(task->pid))
		count_event(AGENT_EV_WATCHED_FULL);
	if (mark(task))
		track_process(task, name, AGENT_PROC_FROM_RENAME);
	return 0;
}

/* Threads of an agent are part of it; a child process is an agent of its own. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(agent_fork, struct task_struct *parent, struct task_struct *child)
{
	if (watched_on_fork(parent->pid, child->pid))
		count_event(AGENT_EV_WATCHED_FULL);
	if (!mark_of(parent) || !mark(child))
		return 0;
	if (child->tgid != parent->tgid)
		track_process(child, ((struct task_struct___agent *)parent)->comm,
			      AGENT_PROC_FROM_FORK);
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

/* Adds what the thread's scheduler counters gained since its last look to its
 * process's usage. A thread marked late still counts its whole past: its first
 * look starts from 0. */
static __always_inline void add_since_seen(struct task_struct___agent *t, struct agent_task *mark)
{
	__u64 runtime = t->se.sum_exec_runtime;
	__u64 delay = t->sched_info.run_delay;
	__u64 pcount = t->sched_info.pcount;
	__u32 tgid = t->tgid;
	struct agent_usage *usage = bpf_map_lookup_elem(&agent_usage, &tgid);

	if (!usage)
		return;
	if (runtime > mark->runtime_seen)
		usage->cpu_ns += runtime - mark->runtime_seen;
	if (pcount > mark->pcount_seen) {
		__u64 waits = pcount - mark->pcount_seen;
		__u64 waited = delay > mark->delay_seen ? delay - mark->delay_seen : 0;
		__u64 slot = runq_slot(waited / waits);

		/* The test on the register that indexes: clang would test a zero-extended
		 * copy and index with another, whose bound 6.1's verifier does not know. */
		asm volatile("" : "+r"(slot));
		if (slot < RUNQ_SLOTS)
			usage->runq[slot] += waits;
		usage->runq_sum_ns += waited;
	}
	mark->runtime_seen = runtime;
	mark->delay_seen = delay;
	mark->pcount_seen = pcount;
}

/* Resident pages as get_mm_rss() counts them: file + anon + shmem. */
static __always_inline __u64 rss_pages(struct task_struct___agent *t)
{
	__s64 pages = 0;
	struct mm_struct___agent *mm = BPF_CORE_READ(t, mm);

	if (!mm)
		return 0;
	/* A field test on mm_struct, not bpf_core_type_exists(struct mm_rss_stat___old):
	 * a type vmlinux lacks sends libbpf through the module BTFs, which a process
	 * without CAP_SYS_ADMIN (the systemd unit) may not list, and the load fails. */
	if (!bpf_core_field_exists(mm->rss_stat[0].count)) {
		struct mm_struct___agent_old *old = (void *)mm;

		pages = BPF_CORE_READ(old, rss_stat.count[AGENT_MM_FILEPAGES].counter) +
			BPF_CORE_READ(old, rss_stat.count[AGENT_MM_ANONPAGES].counter) +
			BPF_CORE_READ(old, rss_stat.count[AGENT_MM_SHMEMPAGES].counter);
	} else {
		/* Each counter clamped at 0 as percpu_counter_read_positive() does. */
		__s64 file = BPF_CORE_READ(mm, rss_stat[AGENT_MM_FILEPAGES].count);
		__s64 anon = BPF_CORE_READ(mm, rss_stat[AGENT_MM_ANONPAGES].count);
		__s64 shmem = BPF_CORE_READ(mm, rss_stat[AGENT_MM_SHMEMPAGES].count);

		pages = (file > 0 ? file : 0) + (anon > 0 ? anon : 0) + (shmem > 0 ? shmem : 0);
	}
	return pages > 0 ? pages : 0;
}

/* Once per collection tick, over every task on the host: a task without an agent
 * mark costs one storage pointer test. User space reads the maps after it. */
SEC("iter/task")
int agent_sample(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	struct agent_task *mark = mark_of(task);

	if (!mark)
		return 0;
	struct task_struct___agent *t = (void *)task;

	add_since_seen(t, mark);
	__u32 tgid = t->tgid;
	struct agent_proc *proc = bpf_map_lookup_elem(&agent_procs, &tgid);

	/* Threads share the mm and signal: any live thread's view is the process's
	 * (a leader that exited first has no mm, its threads do). */
	if (!proc)
		return 0;
	__u64 pages = rss_pages(t);

	if (pages || !proc->sampled)
		proc->rss_pages = pages;
	proc->nr_threads = BPF_CORE_READ(t, signal, nr_threads);
	proc->sampled = 1;
	return 0;
}

/* The last thread of an agent process leaving records how the process ended. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(agent_exit, struct task_struct *task)
{
	struct task_struct___agent *t = (void *)task;
	struct agent_task *mark = mark_of(task);

	watched_on_exit(task->pid);
	if (!mark)
		return 0;
	/* The thread's last slice, which no later iterator run would see. */
	add_since_seen(t, mark);
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
