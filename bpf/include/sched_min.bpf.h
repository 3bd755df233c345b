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

/* include/linux/sched/signal.h: live counts the group's threads not yet in do_exit. */
struct signal_struct___agent {
	atomic_t live;
};

struct task_struct___agent {
	int pid;
	int tgid;
	unsigned int __state; /* "state" before 5.14 */
	int exit_code;
	__u64 start_time; /* CLOCK_MONOTONIC ns */
	char comm[16];
	struct sched_entity___agent se;
	struct signal_struct___agent *signal;
	struct task_struct___agent *group_leader;
};

#pragma clang attribute pop

#endif /* AGENTMON_SCHED_MIN_BPF_H */
