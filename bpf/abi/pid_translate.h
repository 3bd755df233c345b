/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* One task as the pid translator reports it: its host ids (the kernel's, which
 * every map is keyed by) and its ids in agentmon's own pid namespace (which
 * agentmon's /proc and pidfd_open use). Fixed-width types only. */
#ifndef AGENTMON_ABI_PID_TRANSLATE_H
#define AGENTMON_ABI_PID_TRANSLATE_H

#include <linux/types.h>

struct pid_pair {
	__u32 host_tid;
	__u32 host_tgid;
	__u32 ns_tid;
	__u32 ns_tgid;
};

#endif
