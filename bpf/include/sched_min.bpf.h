/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The scheduler and exit fields the agent-state path reads, as CO-RE flavours
 * (the "___agent" suffix): libbpf strips it when it matches a type against the
 * running kernel's BTF, so these relocate against struct task_struct like the
 * definitions in vmlinux_min.bpf.h, without both paths editing one struct.
 * Sources and how to check a field: see vmlinux_min.bpf.h.
 */
#ifndef AGENTMON_SCHED_MIN_BPF_H
#define AGENTMON_SCHED_MIN_BPF_H

#include "vmlinux_min.bpf.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* include/linux/sched.h: the scheduler's exact account of on-CPU time. */
struct sched_entity___agent {
	__u64 sum_exec_runtime;
};

/* include/linux/sched.h: run-queue accounting (CONFIG_SCHED_INFO), the source of
 * /proc/<pid>/schedstat's second and third fields. */
struct sched_info___agent {
	unsigned long pcount;	      /* times run on a CPU, i.e. waits ended */
	unsigned long long run_delay; /* ns spent runnable but waiting for a CPU */
};

/* include/linux/sched/signal.h: live counts the group's threads not yet in do_exit. */
struct signal_struct___agent {
	atomic_t live;
	int nr_threads;
};

/* include/linux/percpu_counter.h: `count` is the batched global value, the one
 * get_mm_counter() and so /proc/<pid>/stat report. */
struct percpu_counter___agent {
	__s64 count;
};

/* include/linux/mm_types.h, 6.2+: one percpu_counter per MM_* counter. */
struct mm_struct___agent {
	struct percpu_counter___agent rss_stat[4];
};

/* Before 6.2: struct mm_rss_stat { atomic_long_t count[NR_MM_COUNTERS]; }. */
struct mm_rss_stat___old {
	struct {
		long counter;
	} count[4]; /* atomic_long_t */
};
struct mm_struct___agent_old {
	struct mm_rss_stat___old rss_stat;
};

/* enum mm_counter_type (include/linux/mm_types_task.h): resident = file + anon + shmem. */
#define AGENT_MM_FILEPAGES  0
#define AGENT_MM_ANONPAGES  1
#define AGENT_MM_SHMEMPAGES 3

struct task_struct___agent {
	int pid;
	int tgid;
	unsigned int __state; /* "state" before 5.14 */
	int exit_code;
	__u64 start_time; /* CLOCK_MONOTONIC ns */
	char comm[16];
	struct sched_entity___agent se;
	struct sched_info___agent sched_info;
	struct mm_struct___agent *mm;
	struct signal_struct___agent *signal;
	struct task_struct___agent *group_leader;
};

#pragma clang attribute pop

#endif /* AGENTMON_SCHED_MIN_BPF_H */
