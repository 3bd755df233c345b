/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The default agent rule in the kernel: a task that takes a name starting with the
 * rule's prefix (AG_) is an agent from that moment. Shared by the socket path and
 * the agent state path, each with its own rodata copy of the prefix.
 */
#ifndef AGENTMON_COMM_PREFIX_BPF_H
#define AGENTMON_COMM_PREFIX_BPF_H

/* Copies the new name `comm` (a kernel string) into name[16]; 1 when `prefix` is
 * set and the name starts with it. */
static __always_inline int comm_has_prefix(const char *comm, const volatile char *prefix,
					   char name[16])
{
	if (!prefix[0])
		return 0;
	bpf_probe_read_kernel_str(name, 16, comm);
	for (int i = 0; i < 15; i++) {
		if (!prefix[i])
			break;
		if (name[i] != prefix[i])
			return 0;
	}
	return 1;
}

#endif
