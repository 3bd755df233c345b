/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Shared between bpf/features.bpf.c and user space (agentmon check): fixed-width
 * types only, no kernel headers. Not named features.h: bpf/ is on the C++ include
 * path and that name would shadow glibc's <features.h>.
 */
#ifndef AGENTMON_FEATURES_H
#define AGENTMON_FEATURES_H

#include <linux/types.h>

/* One slot of the `hits` per-CPU array per feature program. */
enum feature_hit {
	FEATURE_HIT_SOCK_SEND = 0,
	FEATURE_HIT_SOCK_RECV = 1,
	FEATURE_HIT_RAW_SYS_ENTER = 2,
	FEATURE_HIT_SYSCALL_TP = 3,
	FEATURE_HIT_SCHED_SWITCH = 4,
	FEATURE_HIT_PROCESS_EXIT = 5,
	FEATURE_HIT_TASK_ITER = 6,
	FEATURE_HIT_SOCKOPS = 7,
	FEATURE_HIT_COUNT = 8,
};

/* What the sleepable task iterator copied out of agentmon's own memory. */
struct feature_iter_result {
	__u64 value; /* the 8 bytes at probe_addr in agentmon's address space */
	__s64 err;   /* bpf_copy_from_user_task's return value */
};

/* Record the syscall tracepoint sends through the ring buffer. */
struct feature_event {
	__u32 tgid;
	__u32 hit;  /* enum feature_hit */
	__u64 arg0; /* first syscall argument (the fd for sendmsg) */
};

#endif /* AGENTMON_FEATURES_H */
