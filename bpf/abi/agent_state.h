/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The agent-state path's contract between bpf/agent_state.bpf.c and user space:
 * fixed-width types only. User space static_asserts every size.
 *
 * The kernel knows agents only as processes (thread group ids): which agent a
 * process is, and whether a new process of an agent is a restart, is decided in
 * user space from discovery's rules. The kernel keeps per process what only it
 * sees exactly: CPU time, run-queue delay, and how the process ended.
 */
#ifndef AGENTMON_AGENT_STATE_H
#define AGENTMON_AGENT_STATE_H

#include <linux/types.h>

/*
 * Agent processes alive, plus those exited but not yet read by user space (it
 * deletes an exited process one tick after reading its end). 8192 is 28 types x
 * a few hundred instances, or a crash loop of thousands of restarts per tick;
 * a process that does not fit is counted in AGENT_EV_PROCS_FULL and not tracked.
 */
#define AGENT_PROCS_MAX 8192

/*
 * Run-queue delay histogram: slot i counts waits of <= 2^i microseconds (and
 * above the previous bound); a thread's waits since the last tick are counted in
 * the slot of their mean (the kernel keeps per thread only their count and sum) for i < RUNQ_SLOTS
 * - 1; the last slot counts delays above 2^(RUNQ_SLOTS - 2) us = 33.5 s. Powers of two: the bucket
 * is a few shifts in the kernel, and starvation shows across six decades (1 us .. 33 s).
 */
#define RUNQ_SLOTS 27

/* agent_procs: key thread group id (process id). */
struct agent_proc {
	__u64 start_ns;	 /* task start, CLOCK_MONOTONIC ns (task->start_time); 0 if unknown */
	__u64 exit_ns;	 /* bpf_ktime_get_ns() when its last thread exited; 0 while alive */
	__s32 exit_code; /* that thread's exit_code: signal in bits 0-6, status in bits 8-15 */
	__u32 flags;	 /* AGENT_PROC_* */
	char comm[16];	 /* the name it took when it became an agent */
	/* Gauges the per-tick iterator writes (0 until its first visit): */
	__u64 rss_pages;  /* resident pages (file + anon + shmem), as /proc/<pid>/stat */
	__u32 nr_threads; /* threads of the process (signal->nr_threads) */
	__u32 sampled;	  /* 1 once the iterator has visited the process */
};

#define AGENT_PROC_EXITED      1 /* exit_ns and exit_code are valid */
#define AGENT_PROC_FROM_RENAME 2 /* tracked by the kernel when it took an agent's name */
#define AGENT_PROC_FROM_FORK   4 /* tracked by the kernel as a child of an agent process */
#define AGENT_PROC_FROM_USER   8 /* tracked by user space's discovery */

/* agent_usage, per CPU: key thread group id. Summed over CPUs by user space. */
struct agent_usage {
	__u64 cpu_ns;	   /* on-CPU time of the process's agent threads */
	__u64 runq_sum_ns; /* total time its threads waited runnable but not running */
	__u64 runq[RUNQ_SLOTS];
};

/* agent_tasks: task storage, one per agent thread. Its presence is the mark
 * that makes the per-tick iterator and the exit hook look further; every other
 * task is rejected by one pointer test. What the thread's counters stood at when
 * last added to its process's agent_usage: */
struct agent_task {
	__u64 runtime_seen; /* se.sum_exec_runtime */
	__u64 delay_seen;   /* sched_info.run_delay */
	__u64 pcount_seen;  /* sched_info.pcount */
};

/* The path's own events, a per-CPU array indexed by enum agent_event. */
enum agent_event {
	AGENT_EV_PROCS_FULL = 0,      /* an agent process not tracked: agent_procs is full */
	AGENT_EV_USAGE_FULL,	      /* an agent process without counters: agent_usage is full */
	AGENT_EV_TASK_STORAGE_FAILED, /* an agent thread could not be marked */
	AGENT_EV_WATCHED_FULL, /* an agent thread not watched: the socket path's set is full */
	AGENT_EV_COUNT,
};

/* Upper bound of run-queue slot i in microseconds (i < RUNQ_SLOTS - 1). */
static inline __u64 runq_slot_bound_us(__u32 slot)
{
	return 1ULL << slot;
}

#endif /* AGENTMON_AGENT_STATE_H */
