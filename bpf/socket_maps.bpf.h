/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The socket path's maps and the per-frame accounting that updates them. Every
 * map is pinned by user space under /sys/fs/bpf/agentmon/<name> and carries BTF,
 * so `bpftool map dump pinned ...` prints field names.
 */
#ifndef AGENTMON_SOCKET_MAPS_BPF_H
#define AGENTMON_SOCKET_MAPS_BPF_H

#include "abi/socket_trace.h"

/* Histogram bounds, set by user space between open and load (config). */
const volatile __u64 latency_bounds_ns[HIST_BOUNDS_MAX] = {};
const volatile __u32 latency_bound_count = 0;
const volatile __u64 size_bounds_bytes[HIST_BOUNDS_MAX] = {};
const volatile __u32 size_bound_count = 0;

/* The watched set (thread ids): shared with the agent state path's object. */
#include "lib/watched_tasks.bpf.h"

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

/* ---- processing time: a request's receipt to its reply's send ---- */

/* msg_type values (bits) that expect a reply; config "request_types". */
const volatile __u32 request_type_mask = (1u << 1) | (1u << 8) | (1u << 11);
/* Set by user space when the frame spec has a sequence field and a reply flag. */
const volatile __u32 spec_tracks_requests = 0;

/*
 * Requests in flight. Replies delete their request at once, so this holds what
 * agents have received and not answered yet: a few hundred at full rate on the
 * reference bus. 65536 leaves room for slow agents and for the requests of dead
 * ones until user space times them out; a request that finds the map full is not
 * timed and WALK_REQUESTS_MAP_FULL counts it.
 */
#define REQUESTS_MAX 65536
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, REQUESTS_MAX);
	__type(key, struct request_key);
	__type(value, struct request_info);
} requests SEC(".maps");

/* Processing-time histograms by the responding agent's type. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AGENT_TYPE_SLOTS);
	__type(key, __u32);
	__type(value, struct histogram);
} processing SEC(".maps");

#define TRACK_REPLY	      (1u << 16)
#define TRACK_RECEIVED	      (1u << 17)
#define TRACK_SELF_TYPE_SHIFT 18 /* the sending or receiving agent's type (5 bits) */
#define TRACK_TYPE_SHIFT      24 /* the responder's type, for track_request */

/*
 * Global, so the verifier checks it once on its own (see latency_bucket_of).
 * `who` is the process (high half) and the other side's agent id (low half: the
 * request's source at receipt, the reply's target at send); `what` is
 * TRACK_RECEIVED with the responder's type for a request just received, or
 * TRACK_REPLY for a reply being sent: frame_signals filters every other frame.
 */
__noinline int track_request(__u64 sequence, __u64 who, __u32 what, __u64 now)
{
	struct request_key k = {
	    .responder_tgid = who >> 32, .requester = (__u32)who, .sequence = sequence};
	if (what & TRACK_RECEIVED) {
		struct request_info v = {.received_ns = now,
					 .responder_type = (what >> TRACK_TYPE_SHIFT) & 0x3f};

		if (bpf_map_update_elem(&requests, &k, &v, BPF_ANY))
			count_walk_event(WALK_REQUESTS_MAP_FULL, 1);
		return 0;
	}
	struct request_info *v = bpf_map_lookup_elem(&requests, &k);

	if (!v)
		return 0;
	__u64 took = now > v->received_ns ? now - v->received_ns : 0;
	__u32 type = v->responder_type < AGENT_TYPE_SLOTS ? v->responder_type : 0;

	bpf_map_delete_elem(&requests, &k);
	struct histogram *h = bpf_map_lookup_elem(&processing, &type);

	if (h) {
		h->buckets[clamp_bucket(latency_bucket_of(took))] += 1;
		h->sum += took;
	}
	return 0;
}

/* ---- what waits for each agent process ---- */

/* One entry per agent process that received on a socket; user space removes the
 * entries of processes that exited. 16384 as for the watched tasks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCHED_MAX);
	__type(key, __u32);
	__type(value, struct backlog);
} backlog SEC(".maps");

static __always_inline struct backlog *backlog_of(__u32 tgid)
{
	struct backlog *b = bpf_map_lookup_elem(&backlog, &tgid);

	if (!b) {
		struct backlog zero = {};

		bpf_map_update_elem(&backlog, &tgid, &zero, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&backlog, &tgid);
	}
	return b;
}

/* Adds `delta` packets to the process's backlog: each socket remembers the queue
 * length it last saw and passes on only the change. */
static __always_inline void add_backlog(__u32 tgid, __s64 delta)
{
	struct backlog *b = backlog_of(tgid);

	if (b)
		__sync_fetch_and_add(&b->packets, delta);
}

/* A failed send or receive of the process (not EAGAIN: flow control). */
static __always_inline void count_process_error(__u32 tgid)
{
	struct backlog *b = backlog_of(tgid);

	if (b)
		__sync_fetch_and_add(&b->errors, 1);
}

/* ---- frames from processes that are not agents ---- */

/* Offenders are few; 1024 (offender, target, carrier) keys, then WALK_INTRUDERS_MAP_FULL. */
#define INTRUDERS_MAX 1024
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, INTRUDERS_MAX);
	__type(key, struct intruder_key);
	__type(value, struct frame_counts);
} intruders SEC(".maps");

/* Global, verified on its own: the walker's states stay as they were. `who` is the
 * offender's tgid (high half) and uid; `where` the receiving agent's type << 8 | carrier. */
__noinline int count_intruder_frame(__u64 who, __u32 where, __u32 len)
{
	struct intruder_key k = {.tgid = who >> 32,
				 .uid = (__u32)who,
				 .target_type = where >> 8,
				 .carrier = where & 0xff};
	struct frame_counts *v = bpf_map_lookup_elem(&intruders, &k);

	if (!v) {
		struct frame_counts zero = {};

		bpf_map_update_elem(&intruders, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&intruders, &k);
	}
	if (!v) {
		count_walk_event(WALK_INTRUDERS_MAP_FULL, 1);
		return 0;
	}
	__sync_fetch_and_add(&v->frames, 1);
	__sync_fetch_and_add(&v->bytes, len);
	return 0;
}

/*
 * What a frame says about its agents beyond the counts, global so the walker's
 * verification does not multiply by these branches. `ids` is the header's source
 * (high half) and first target; `self` the process (high half) and its agent id
 * (0 until discovery has identified it); `what` the msg_type (low 16 bits) with
 * TRACK_REPLY, TRACK_RECEIVED and that agent's type (TRACK_SELF_TYPE_SHIFT), looked
 * up once per call rather than once per frame. Returns the source id to count the frame under:
 * the header's, or on a send whose header names an agent of another type than the
 * sender (SPOOFED_SOURCE), the sender's own.
 */
__noinline __u32 frame_signals(__u64 ids, __u64 sequence, __u64 self, __u32 what, __u64 now)
{
	__u32 source = ids >> 32, target = (__u32)ids, self_id = (__u32)self;
	__u32 self_type = (what >> TRACK_SELF_TYPE_SHIFT) & 0x1f;
	__u32 received = what & TRACK_RECEIVED, reply = what & TRACK_REPLY;
	__u32 msg_type = what & 0xffff;

	if (!received && self_type && agent_type(source) != self_type) {
		count_walk_event(WALK_SPOOFED_SOURCE, 1);
		source = self_id;
	}
	/* Only requests (at receipt) and replies (at send) are timed; every other frame
	 * leaves here without a map operation. */
	if (!spec_tracks_requests)
		return source;
	if (received ? reply || msg_type >= 32 || !(request_type_mask & (1u << msg_type)) : !reply)
		return source;
	track_request(sequence, (self & ~0xffffffffull) | (received ? source : target),
		      (what & (TRACK_REPLY | TRACK_RECEIVED)) |
			  (received ? agent_type(target) << TRACK_TYPE_SHIFT : 0),
		      now);
	return source;
}

#endif /* AGENTMON_SOCKET_MAPS_BPF_H */
