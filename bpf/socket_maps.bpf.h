/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The socket path's maps and the per-frame accounting that updates them. Every
 * map is pinned by user space under /sys/fs/bpf/agentmon/<name> and carries BTF,
 * so `bpftool map dump pinned ...` prints field names.
 */
#ifndef AGENTMON_SOCKET_MAPS_BPF_H
#define AGENTMON_SOCKET_MAPS_BPF_H

#include "socket_trace.h"

/* Histogram bounds, set by user space between open and load (config). */
const volatile __u64 latency_bounds_ns[HIST_BOUNDS_MAX] = {};
const volatile __u32 latency_bound_count = 0;
const volatile __u64 size_bounds_bytes[HIST_BOUNDS_MAX] = {};
const volatile __u32 size_bound_count = 0;

/*
 * Agent tasks (thread ids) whose sockets are decoded. 16384 covers a few
 * hundred agents with dozens of threads each; when full, a new agent task is
 * not watched and WALK_WATCHED_FULL counts it.
 */
#define WATCHED_MAX 16384
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCHED_MAX);
	__type(key, __u32);
	__type(value, struct watched_task);
} watched SEC(".maps");

/*
 * Frames and bytes by raw header labels. A 28-type full mesh with its type and
 * priority mix needs about 28*27*2 pairs x ~12 (type, priority) combinations x 2
 * directions per carrier: ~36k keys on one carrier. 131072 leaves room for all
 * four; a frame whose key does not fit is counted in WALK_FRAMES_MAP_FULL.
 */
#define FRAMES_MAX 131072
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FRAMES_MAX);
	__type(key, struct frame_key);
	__type(value, struct frame_counts);
} frames SEC(".maps");

/* Agent type (1..28, 0 = none) of ids below AGENT_ID_TYPE_MAX, from the registry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AGENT_ID_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} agent_type_of SEC(".maps");

/* Directly indexed: latency_index() and size_index() in socket_trace.h. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LATENCY_SLOTS);
	__type(key, __u32);
	__type(value, struct histogram);
} latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SIZE_SLOTS);
	__type(key, __u32);
	__type(value, struct histogram);
} sizes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCALL_ERROR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} syscall_errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WALK_EVENT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} walk_events SEC(".maps");

static __always_inline void count_walk_event(__u32 event, __u64 n)
{
	__u64 *value = bpf_map_lookup_elem(&walk_events, &event);

	if (value)
		*value += n;
}

static __always_inline void count_syscall_error(__u32 err, __u32 carrier, __u32 direction)
{
	__u32 slot = syscall_error_index(err, carrier, direction);
	__u64 *value = bpf_map_lookup_elem(&syscall_errors, &slot);

	if (value)
		*value += 1;
}

static __always_inline __u32 agent_type(__u32 id)
{
	if (id < AGENT_ID_TYPE_MAX) {
		__u32 *type = bpf_map_lookup_elem(&agent_type_of, &id);

		return type && *type < AGENT_TYPE_SLOTS ? *type : 0;
	}
	return (id - 1) % 28 + 1;
}

/* Index of the first bound >= value (binary search; count <= HIST_BOUNDS_MAX). */
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

/*
 * Global (not inlined) so the verifier checks each search once, on its own: its
 * result is then an unknown scalar to the callers, instead of one caller state per
 * possible bucket, which multiplied the walker's states past the verifier's limit.
 */
__noinline __u32 latency_bucket_of(__u64 ns)
{
	return bucket_of(ns, latency_bounds_ns, latency_bound_count);
}

__noinline __u32 size_bucket_of(__u64 bytes)
{
	return bucket_of(bytes, size_bounds_bytes, size_bound_count);
}

/*
 * Frames of one send or receive are summed here before the frames map is
 * touched: a hash update costs ~20 ns, and a batch of 64 frames usually holds a
 * dozen distinct keys. Slots are flushed when another key needs them and at the
 * end of every call, so nothing waits here between calls. One per direction:
 * the send and receive programs can interleave on a CPU, one program cannot.
 */
#define PENDING_SLOTS 8
struct pending_slot {
	struct frame_key key;
	__u64 frames;
	__u64 bytes;
};

struct pending {
	struct pending_slot slot[PENDING_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DIR_COUNT);
	__type(key, __u32);
	__type(value, struct pending);
} pending SEC(".maps");

static __always_inline void flush_slot(struct pending_slot *s)
{
	struct frame_counts *counts = bpf_map_lookup_elem(&frames, &s->key);

	if (!counts) {
		struct frame_counts zero = {};

		/* NOEXIST: another CPU may have inserted the key meanwhile; then look it up. */
		bpf_map_update_elem(&frames, &s->key, &zero, BPF_NOEXIST);
		counts = bpf_map_lookup_elem(&frames, &s->key);
	}
	if (counts) {
		counts->frames += s->frames;
		counts->bytes += s->bytes;
	} else {
		count_walk_event(WALK_FRAMES_MAP_FULL, s->frames);
	}
	s->frames = 0;
	s->bytes = 0;
}

static __always_inline void flush_pending(__u32 direction)
{
	struct pending *p = bpf_map_lookup_elem(&pending, &direction);

	if (!p)
		return;
	for (int i = 0; i < PENDING_SLOTS; i++)
		if (p->slot[i].frames)
			flush_slot(&p->slot[i]);
}

static __always_inline int same_key(const struct frame_key *a, const struct frame_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

/*
 * What the previous frame of the same call resolved: frames of one stream mostly
 * share a size and an agent pair, and their latencies fall in the same bucket or
 * next to it, so most frames skip the searches and lookups.
 */
struct frame_memo {
	__u32 len;
	__u32 size_bucket;
	__u32 source, target;
	struct histogram *latency; /* this pair's histogram, NULL until resolved */
	__u32 latency_bucket;
	__u32 pad;
};

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

/* The latency bucket, trying the previous frame's first. */
static __always_inline __u32 latency_bucket(__u64 ns, __u32 last)
{
	__u32 b = clamp_bucket(last);

	if ((b == 0 || ns > latency_bounds_ns[(b - 1) & (HIST_BOUNDS_MAX - 1)]) &&
	    (b >= latency_bound_count || ns <= latency_bounds_ns[b & (HIST_BOUNDS_MAX - 1)]))
		return b;
	return latency_bucket_of(ns);
}

/* Accounts one complete frame. */
static __always_inline void count_frame(const struct frame_key *key, __u32 len, __u64 latency_ns,
					int has_latency, struct frame_memo *memo)
{
	__u32 direction = key->direction & 1;
	struct pending *p = bpf_map_lookup_elem(&pending, &direction);

	if (p) {
		struct pending_slot *s =
		    &p->slot[(key->msg_type * 5 + key->priority * 3 + key->target) &
			     (PENDING_SLOTS - 1)];

		if (s->frames && !same_key(&s->key, key))
			flush_slot(s);
		if (!s->frames)
			s->key = *key;
		s->frames += 1;
		s->bytes += len;
	}
	if (memo->len != len) {
		memo->len = len;
		memo->size_bucket = size_bucket_of(len);
	}
	struct histogram *h = bpf_map_lookup_elem(
	    &sizes, &(__u32){size_index(key->msg_type < MSG_TYPE_SLOTS ? key->msg_type : 0,
					key->carrier, key->direction)});
	if (h) {
		h->buckets[clamp_bucket(memo->size_bucket)] += 1;
		h->sum += len;
	}
	if (!has_latency)
		return;
	if (!memo->latency || memo->source != key->source || memo->target != key->target) {
		memo->source = key->source;
		memo->target = key->target;
		memo->latency = bpf_map_lookup_elem(
		    &latency, &(__u32){latency_index(agent_type(key->source),
						     agent_type(key->target), key->carrier)});
		if (!memo->latency)
			return;
	}
	memo->latency_bucket = latency_bucket(latency_ns, memo->latency_bucket);
	memo->latency->buckets[clamp_bucket(memo->latency_bucket)] += 1;
	memo->latency->sum += latency_ns;
}

#endif /* AGENTMON_SOCKET_MAPS_BPF_H */
