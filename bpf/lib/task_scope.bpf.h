/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The `scope` setting in the kernel: which tasks the rename hooks may start
 * watching. 0 in both means the whole node. A pid namespace (a sidecar's pod)
 * takes the tasks visible in it, nested namespaces included; a cgroup v2 id takes
 * the tasks in that cgroup or below it. User space sets these in rodata before
 * load, in each object that runs a rename hook.
 */
#ifndef AGENTMON_TASK_SCOPE_BPF_H
#define AGENTMON_TASK_SCOPE_BPF_H

#include "lib/pid_ns.bpf.h"

const volatile __u32 scope_pidns_inum = 0;
const volatile __u64 scope_cgroup_id = 0;

/* cgroup v2 paths under kubepods are 4 or 5 deep; 16 covers systemd slices too. */
#define SCOPE_CGROUP_LEVELS_MAX 16

static __always_inline int task_under_cgroup_id(struct task_struct *task, __u64 id)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);

	for (int i = 0; i < SCOPE_CGROUP_LEVELS_MAX && cg; i++) {
		if (BPF_CORE_READ(cg, kn, id) == id)
			return 1;
		cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	}
	return 0;
}

static __always_inline int task_in_scope(struct task_struct *task)
{
	if (scope_pidns_inum && !pid_nr_in_ns(BPF_CORE_READ(task, thread_pid), scope_pidns_inum))
		return 0;
	if (scope_cgroup_id && !task_under_cgroup_id(task, scope_cgroup_id))
		return 0;
	return 1;
}

#endif
