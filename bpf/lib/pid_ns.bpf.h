/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A task's number in one pid namespace, named by the namespace's inode (what
 * /proc/<pid>/ns/pid shows): the kernel keeps a task's number in every namespace
 * from the initial one down to its own (struct pid's numbers[0..level]), so a task
 * is visible in a namespace exactly when that namespace is on the chain.
 */
#ifndef AGENTMON_PID_NS_BPF_H
#define AGENTMON_PID_NS_BPF_H

#include <bpf/bpf_core_read.h>

#include "vmlinux_min.bpf.h"

/* Namespaces nest 32 deep at most; agentmon looks 8 deep (a container in a pod in
 * a VM's node is 3). */
#define PID_NS_LEVELS_MAX 8

/* The number of `pid` in the namespace `inum`, 0 when it has none there. */
static __always_inline int pid_nr_in_ns(struct pid *pid, __u32 inum)
{
	if (!pid)
		return 0;
	const unsigned int level = BPF_CORE_READ(pid, level);
	const char *numbers = (const char *)pid + bpf_core_field_offset(struct pid, numbers);
	const unsigned long step = bpf_core_type_size(struct upid);

	for (unsigned int i = 0; i < PID_NS_LEVELS_MAX; i++) {
		if (i > level)
			break;
		struct upid *up = (struct upid *)(numbers + i * step);

		if (BPF_CORE_READ(up, ns, ns.inum) == inum)
			return BPF_CORE_READ(up, nr);
	}
	return 0;
}

#endif
