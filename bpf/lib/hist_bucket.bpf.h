/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Histogram buckets over configured bounds (struct histogram in abi/socket_trace.h):
 * bucket i counts values <= bounds[i] and > bounds[i-1], bucket HIST_BOUNDS_MAX
 * values above every bound.
 */
#ifndef AGENTMON_HIST_BUCKET_BPF_H
#define AGENTMON_HIST_BUCKET_BPF_H

#include "abi/socket_trace.h"

/* Index of the first bound >= value (binary search; count <= HIST_BOUNDS_MAX = 2^5,
 * so 6 halvings always end it). */
static __always_inline __u32 bucket_of(__u64 value, const volatile __u64 *bounds, __u32 count)
{
	__u32 lo = 0, hi = count;

	for (int i = 0; i < 6; i++) {
		if (lo >= hi)
			break;
		__u32 mid = (lo + hi) / 2;

		if (value <= bounds[mid & (HIST_BOUNDS_MAX - 1)])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Whether `value` falls in bucket `b` (a cached bucket is tried before a search). */
static __always_inline int in_bucket(__u64 value, __u32 b, const volatile __u64 *bounds,
				     __u32 count)
{
	return (b == 0 || value > bounds[(b - 1) & (HIST_BOUNDS_MAX - 1)]) &&
	       (b >= count || value <= bounds[b & (HIST_BOUNDS_MAX - 1)]);
}

/* The bounds check the verifier needs before indexing buckets[]; the empty asm
 * keeps clang from checking a copy of b and indexing with the original, whose
 * bound the verifier then does not know; 64 bits avoid the same via zero-extension. */
static __always_inline __u64 clamp_bucket(__u64 b)
{
	asm volatile("" : "+r"(b));
	if (b > HIST_BOUNDS_MAX)
		b = HIST_BOUNDS_MAX;
	return b;
}

#endif /* AGENTMON_HIST_BUCKET_BPF_H */
