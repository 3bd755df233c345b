// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The pid translator: a task iterator, run once per discovery tick when agentmon
 * runs in a pid namespace of its own (a sidecar). For every task visible in that
 * namespace it writes one struct pid_pair: the task's host ids, which the kernel's
 * maps use, and its ids in agentmon's namespace, which agentmon's /proc shows.
 * Tasks outside the namespace are skipped, so the output is the pod's tasks only.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "vmlinux_min.bpf.h"
#include "abi/pid_translate.h"
#include "lib/pid_ns.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The inode of agentmon's pid namespace (/proc/self/ns/pid). */
const volatile __u32 target_pidns_inum = 0;

SEC("iter/task")
int pid_translate(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct pid_pair pair = {};

	if (!task)
		return 0;
	pair.ns_tid = pid_nr_in_ns(BPF_CORE_READ(task, thread_pid), target_pidns_inum);
	if (!pair.ns_tid)
		return 0;
	pair.ns_tgid =
	    pid_nr_in_ns(BPF_CORE_READ(task, group_leader, thread_pid), target_pidns_inum);
	pair.host_tid = BPF_CORE_READ(task, pid);
	pair.host_tgid = BPF_CORE_READ(task, tgid);
	bpf_seq_write(ctx->meta->seq, &pair, sizeof(pair));
	return 0;
}
