/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The socket path's per-frame accounting: frames, bytes, size and latency
 * histograms, and the decoder's own events. Everything a frame costs here is paid
 * 6 million times a second at 64 frames per write, so the common frame touches no
 * map: its counts go to the call's pending table (flushed once per call and key)
 * and its latency to the call's run of frames in one bucket (flushed when the
 * agent pair or the bucket changes).
 */
#ifndef AGENTMON_SOCKET_COUNT_BPF_H
#define AGENTMON_SOCKET_COUNT_BPF_H

#include "socket_maps.bpf.h"
#include "lib/hist_bucket.bpf.h"
#include "lib/lookup_or_init.bpf.h"

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

		/* 0 until user space has written the registry's types: the rule. */
		if (type && *type && *type < AGENT_TYPE_SLOTS)
			return *type;
		if (!id)
			return 0;
	}
	return (id - 1) % 28 + 1;
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

static __always_inline struct histogram *size_histogram_of(const struct frame_key *key)
{
	__u32 msg_type = key->msg_type < MSG_TYPE_SLOTS ? key->msg_type : 0;
	__u32 index = size_index(msg_type, key->carrier & 3, key->direction & 1);

	return bpf_map_lookup_elem(&sizes, &index);
}

/*
 * Moves a slot's run of frames in one size bucket into the sizes map. Global, like
 * flush_slot, so the verifier checks these once on their own: inlined in the walker
 * their branches multiplied its states past the verifier's limit.
 */
__noinline int flush_size_run(struct pending_slot *s)
{
	if (!s)
		return 0;
	struct histogram *h = size_histogram_of(&s->key);

	if (h)
		h->buckets[clamp_bucket(s->size_bucket)] += s->size_run;
	s->size_run = 0;
	return 0;
}

/*
 * The frames map's value for a key, inserting it when process `tgid` (the frames'
 * sender where known) has label quota left. Only a key's first frame pays the
 * quota lookup. NULL when the key cannot be stored; *event then says why (MAP_FULL
 * or LABEL_QUOTA).
 */
static __always_inline struct frame_counts *frame_counts_of(const struct frame_series_key *key,
							    __u32 tgid, __u32 *event)
{
	struct frame_counts *counts = bpf_map_lookup_elem(&frames, key);

	if (counts)
		return counts;
	__u64 *used = bpf_map_lookup_elem(&label_quota, &tgid);

	if (used && *used >= label_set_quota) {
		*event = WALK_LABEL_QUOTA;
		return NULL;
	}
	struct frame_counts zero = {};

	if (bpf_map_update_elem(&frames, key, &zero, BPF_NOEXIST) == 0) {
		if (used)
			__sync_fetch_and_add(used, 1);
		else
			bpf_map_update_elem(&label_quota, &tgid, &(__u64){1}, BPF_NOEXIST);
	}
	counts = bpf_map_lookup_elem(&frames, key);
	*event = WALK_FRAMES_MAP_FULL;
	return counts;
}

/* The frames map's key of a raw frame key: types, and only the kept fields. */
static __always_inline void series_key_of(const struct frame_key *k, __u32 source_type,
					  __u32 target_type, struct frame_series_key *out)
{
	__u32 keep = frame_key_keep;

	out->source_type = keep & KEEP_SOURCE ? source_type : 0;
	out->target_type = keep & KEEP_TARGET ? target_type : 0;
	out->msg_type = keep & KEEP_MSG_TYPE && k->msg_type < MSG_TYPE_SLOTS ? k->msg_type : 0;
	out->priority = !(keep & KEEP_PRIORITY)	      ? 0
			: k->priority <= PRIORITY_MAX ? k->priority
						      : PRIORITY_MAX + 1;
	out->carrier = k->carrier;
	out->direction = k->direction;
	out->pad[0] = 0;
	out->pad[1] = 0;
}

/* The pair array and the agent's own counts: the sender's for sent frames, the
 * target's for received ones. Per slot flush, as the pair array (a receive's
 * flush now pays the one hash lookup a send's always did), not per frame. */
static __always_inline void count_pair_and_sender(const struct pending_slot *s, __u32 source_type,
						  __u32 target_type)
{
	__u32 pair = pair_index(source_type, target_type, s->key.carrier & 3, s->key.direction & 1);
	struct frame_counts *p = bpf_map_lookup_elem(&frame_pairs, &pair);

	if (p) {
		p->frames += s->frames;
		p->bytes += s->bytes;
	}
	__u32 sent = s->key.direction == DIR_SENT;
	__u32 id = sent ? s->key.source : s->key.target;
	struct agent_sends zero = {};
	struct agent_sends *a = bpf_map_lookup_elem(&agent_sends, &id);

	/* A received frame's target is whatever its header says: only ids with a
	 * registry type (below AGENT_ID_TYPE_MAX) get a key from it, so headers naming
	 * made-up targets cannot fill the map the senders' counts need. */
	if (!a && (sent || id < AGENT_ID_TYPE_MAX))
		a = lookup_or_init(&agent_sends, &id, &zero);

	if (!a) {
		/* Received frames stay counted by type (the per-type sum is exact). */
		__u32 type = target_type < AGENT_TYPE_SLOTS ? target_type : 0;
		__u64 *u = sent ? NULL : bpf_map_lookup_elem(&received_unattributed, &type);

		if (u)
			*u += s->frames;
		return;
	}
	if (!sent) {
		a->received_frames += s->frames;
		return;
	}
	a->frames += s->frames;
	if (s->key.msg_type == MSG_TYPE_ERROR)
		a->error_frames += s->frames;
}

/* Moves a slot's sums into the frames, pairs, senders and sizes maps and empties it;
 * a new label set is charged to `quota_tgid`. */
__noinline int flush_slot(struct pending_slot *s, __u32 quota_tgid)
{
	if (!s)
		return 0;
	__u32 event = 0;
	__u32 source_type = agent_type(s->key.source), target_type = agent_type(s->key.target);
	struct frame_series_key key;

	series_key_of(&s->key, source_type, target_type, &key);
	count_pair_and_sender(s, source_type, target_type);
	struct frame_counts *counts = frame_counts_of(&key, quota_tgid, &event);

	if (!counts) {
		/* Never uncounted: the carrier and direction's overflow key takes them. */
		count_walk_event(event, s->frames);
		counts = bpf_map_lookup_elem(
		    &frames_overflow, &(__u32){overflow_index(s->key.carrier, s->key.direction)});
	}
	if (counts) {
		counts->frames += s->frames;
		counts->bytes += s->bytes;
	}
	/* The size histogram's sum is the slot's bytes: added once, here. */
	struct histogram *h = size_histogram_of(&s->key);

	if (h) {
		h->buckets[clamp_bucket(s->size_bucket)] += s->size_run;
		h->sum += s->bytes;
	}
	s->size_run = 0;
	s->frames = 0;
	s->bytes = 0;
	return 0;
}

/* Moves the call's run of frames in one latency bucket into the latency map.
 * Global, like flush_size_run. */
__noinline int flush_latency_run(struct frame_memo *m)
{
	if (!m || !m->latency_run)
		return 0;
	__u32 index = m->latency_index;
	struct histogram *h = bpf_map_lookup_elem(&latency, &index);

	if (h) {
		h->buckets[clamp_bucket(m->latency_bucket)] += m->latency_run;
		h->sum += m->latency_sum;
	}
	m->latency_run = 0;
	m->latency_sum = 0;
	return 0;
}

/* At the end of every call: nothing waits in the table between calls. */
static __always_inline void flush_pending(struct pending *p)
{
	for (int i = 0; i < PENDING_SLOTS; i++)
		if (p->slot[i].frames)
			flush_slot(&p->slot[i], p->quota_tgid);
	flush_latency_run(&p->memo);
}

static __always_inline int same_key(const struct frame_key *a, const struct frame_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

/* The latency bucket, trying the previous frame's first. */
static __always_inline __u32 latency_bucket(__u64 ns, __u32 last)
{
	__u32 b = clamp_bucket(last);

	if (in_bucket(ns, b, latency_bounds_ns, latency_bound_count))
		return b;
	return latency_bucket_of(ns);
}

/* Accounts one complete frame into the call's pending table `p`. The slot is
 * chosen by message type first: on one connection (one source and target) the
 * types of a batch then never share a slot. */
static __always_inline void count_frame(struct pending *p, const struct frame_key *key, __u32 len,
					__u64 latency_ns, int has_latency, struct frame_memo *memo)
{
	struct pending_slot *s =
	    &p->slot[(key->msg_type + key->target * 3 + key->source * 5) & (PENDING_SLOTS - 1)];

	if (s->frames && !same_key(&s->key, key))
		flush_slot(s, p->quota_tgid);
	if (!s->frames)
		s->key = *key;
	s->frames += 1;
	s->bytes += len;
	if (memo->len != len) {
		memo->len = len;
		memo->size_bucket = size_bucket_of(len);
	}
	if (s->size_run && s->size_bucket != memo->size_bucket)
		flush_size_run(s);
	s->size_bucket = memo->size_bucket;
	s->size_run += 1;
	if (!has_latency)
		return;
	if (memo->latency_index >= LATENCY_SLOTS || memo->source != key->source ||
	    memo->target != key->target) {
		__u32 index =
		    latency_index(agent_type(key->source), agent_type(key->target), key->carrier);

		if (index != memo->latency_index)
			flush_latency_run(memo);
		memo->source = key->source;
		memo->target = key->target;
		memo->latency_index = index;
	}
	__u32 bucket = latency_bucket(latency_ns, memo->latency_bucket);

	if (bucket != memo->latency_bucket)
		flush_latency_run(memo);
	memo->latency_bucket = bucket;
	memo->latency_run += 1;
	memo->latency_sum += latency_ns;
}

#endif /* AGENTMON_SOCKET_COUNT_BPF_H */
