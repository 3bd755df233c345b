/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * bpf_loop where the kernel has it (5.17+), a bounded loop where it has not.
 * Calls fn(i, ctx) for i = 0, 1, ... until it returns non-zero or n calls are
 * made. `noloop` must be a constant, so that each build keeps one of the two.
 *
 * In the bounded loop the index is hidden from clang: it knows i < n and would
 * drop an index mask that says so (`buf[i & (N - 1)]`), leaving the verifier,
 * which follows the loop round by round, without the bound.
 */
#ifndef AGENTMON_BOUNDED_LOOP_BPF_H
#define AGENTMON_BOUNDED_LOOP_BPF_H

#define loop_or_bounded(n, fn, ctx, noloop)                                                        \
	do {                                                                                       \
		if (noloop) {                                                                      \
			for (__u32 round_ = 0; round_ < (n); round_++) {                           \
				__u32 index_ = round_;                                             \
				asm volatile("" : "+r"(index_));                                   \
				if ((fn)(index_, (ctx)))                                           \
					break;                                                     \
			}                                                                          \
		} else {                                                                           \
			bpf_loop((n), (fn), (ctx), 0);                                             \
		}                                                                                  \
	} while (0)

#endif /* AGENTMON_BOUNDED_LOOP_BPF_H */
