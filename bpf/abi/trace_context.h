/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Trace and span ids of sampled requests, derived from (source agent, sequence),
 * and the trace context convention for the AGEN header's reserved bytes
 * (docs/tracing.md). One definition for the kernel (bpf/socket_spans.bpf.h), the
 * collector (tracing/) and the reference bus (agentbus --trace-context), so all
 * three compute the same ids. Fixed-width types only.
 */
#ifndef AGENTMON_TRACE_CONTEXT_H
#define AGENTMON_TRACE_CONTEXT_H

#include <linux/types.h>

/* Where the context lives in the AGEN header: reserved bytes 112..127 (outside the
 * CRC). u64 root span id, then u64 parent span id, little-endian; a root of 0 means
 * the frame carries no context. A reply echoes the context of its request. */
#define TRACE_CONTEXT_AGEN_OFFSET 112
#define TRACE_CONTEXT_BYTES	  16

/* The splitmix64 finaliser: a cheap bijective mix (3 multiplies' worth). */
static inline __u64 trace_mix64(__u64 x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 31;
	return x;
}

/*
 * The client span id of the request (source, sequence); its server span id is
 * this ^ 1. Never 0 or 1, so both are valid (non-zero) span ids.
 */
static inline __u64 trace_span_id(__u32 source, __u64 sequence)
{
	__u64 id =
	    trace_mix64(sequence * 0x9E3779B97F4A7C15ull ^ (__u64)source << 40 ^ source) & ~1ull;

	return id ? id : 2;
}

/* Whether a request whose trace root (its own client span id, or the root its
 * context names) is `root` is sampled: threshold = ratio * 2^32 (2^32 = all). */
static inline int trace_sampled(__u64 root, __u64 threshold)
{
	return (root >> 32) < threshold;
}

/* The 128-bit trace id of the trace rooted at span `root`: high and low halves. */
static inline __u64 trace_id_high(__u64 root)
{
	return root;
}

static inline __u64 trace_id_low(__u64 root)
{
	return trace_mix64(root ^ 0x5DEECE66Dull);
}

#endif /* AGENTMON_TRACE_CONTEXT_H */
