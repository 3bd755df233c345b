/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What frames say about agents beyond the counts: processing time (a request's
 * receipt to its reply's send), each agent process's failed calls,
 * and frames from processes that are not agents. The per-frame filters live in
 * frame_done (frame_walk.bpf.h), so that only the frames these functions are for
 * pay a call.
 */
#ifndef AGENTMON_SOCKET_SIGNALS_BPF_H
#define AGENTMON_SOCKET_SIGNALS_BPF_H

#include "socket_count.bpf.h"

#define TRACK_REPLY	      (1u << 16)
#define TRACK_RECEIVED	      (1u << 17)
#define TRACK_SELF_TYPE_SHIFT 18 /* the sending or receiving agent's type (5 bits) */
#define TRACK_TYPE_SHIFT      24 /* the responder's type, for track_request */

/* Whether a frame is timed: a request (by type) at receipt, a reply at send. */
static __always_inline int tracks_request(int received, __u32 msg_type, int reply)
{
	if (!spec_tracks_requests)
		return 0;
	if (!received)
		return reply;
	return !reply && msg_type < 32 && (request_type_mask & (1u << msg_type));
}

/*
 * Global, so the verifier checks it once on its own (see latency_bucket_of).
 * `who` is the process (high half) and the other side's agent id (low half: the
 * request's source at receipt, the reply's target at send); `what` is
 * TRACK_RECEIVED with the responder's type for a request just received, or
 * TRACK_REPLY for a reply being sent.
 */
__noinline int track_request(__u64 sequence, __u64 who, __u32 what, __u32 responder, __u64 now)
{
	struct request_key k = {
	    .responder_tgid = who >> 32, .requester = (__u32)who, .sequence = sequence};
	__u32 first = request_slot_of(&k);

	if (what & TRACK_RECEIVED) {
		for (__u32 i = 0; i < REQUEST_PROBES; i++) {
			__u32 index = (first + i) & (REQUEST_SLOTS - 1);
			struct request_slot *s = bpf_map_lookup_elem(&requests, &index);

			if (!s || __sync_val_compare_and_swap(&s->received_ns, 0, 1) != 0)
				continue;
			s->key = k;
			s->responder_type = (what >> TRACK_TYPE_SHIFT) & 0x3f;
			s->responder_id = responder;
			/* Live from here. x86 makes stores visible in program order, so readers
			 * that see received_ns see the key: a compiler barrier is enough, and
			 * saves a second locked instruction per request. */
			asm volatile("" ::: "memory");
			*(volatile __u64 *)&s->received_ns = now > 1 ? now : 2;
			return 0;
		}
		count_walk_event(WALK_REQUESTS_MAP_FULL, 1);
		return 0;
	}
	for (__u32 i = 0; i < REQUEST_PROBES; i++) {
		__u32 index = (first + i) & (REQUEST_SLOTS - 1);
		struct request_slot *s = bpf_map_lookup_elem(&requests, &index);

		if (!s)
			continue;
		__u64 received = s->received_ns;

		if (received <= 1 || s->key.sequence != k.sequence ||
		    s->key.requester != k.requester || s->key.responder_tgid != k.responder_tgid)
			continue;
		/* Read before the slot is freed: a new request may take it at once. One
		 * key variable for both lookups: 6.1's verifier holds this chain of frames
		 * to 512 bytes of stack with nothing to spare (docs/kernels.md). */
		__u32 type = s->responder_type < AGENT_TYPE_SLOTS ? s->responder_type : 0;
		__u32 key = s->responder_id;

		/* Whoever frees it (this reply, a duplicate, user space's expiry) counts it. */
		if (__sync_val_compare_and_swap(&s->received_ns, received, 0) != received)
			return 0;
		__u64 took = now > received ? now - received : 0;
		/* By responder; by type alone for an id without a slot (exact sums). */
		struct histogram *h = key && key < PROCESSING_AGENTS_MAX
					  ? bpf_map_lookup_elem(&processing_by_agent, &key)
					  : NULL;

		if (!h) {
			key = type;
			h = bpf_map_lookup_elem(&processing, &key);
		}

		if (h) {
			/* The search inline, not latency_bucket_of(): one frame fewer under
			 * the walker, whose deepest chain of frames (handler, iovec and
			 * frame callbacks, frame_signals, this) verifiers before 6.13 hold to
			 * 512 bytes of stack. Checked once here, it multiplies no states. */
			__u32 b = bucket_of(took, latency_bounds_ns, latency_bound_count);

			h->buckets[clamp_bucket(b)] += 1;
			h->sum += took;
		}
		return 0;
	}
	return 0;
}

/* ---- what waits for each agent process ---- */

static __always_inline struct backlog *backlog_of(__u32 tgid)
{
	struct backlog zero = {};

	return lookup_or_init(&backlog, &tgid, &zero);
}

/* A failed send or receive of the process (not EAGAIN: flow control). */
static __always_inline void count_process_error(__u32 tgid)
{
	struct backlog *b = backlog_of(tgid);

	if (b)
		__sync_fetch_and_add(&b->errors, 1);
}

/* ---- frames from processes that are not agents ---- */

/* Global, verified on its own: the walker's states stay as they were. `who` is the
 * offender's tgid (high half) and uid; `where` the receiving agent's type << 8 | carrier. */
__noinline int count_intruder_frame(__u64 who, __u32 where, __u32 len)
{
	struct intruder_key k = {.tgid = who >> 32,
				 .uid = (__u32)who,
				 .target_type = where >> 8,
				 .carrier = where & 0xff};
	struct frame_counts zero = {};
	struct frame_counts *v = lookup_or_init(&intruders, &k, &zero);

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
 * verification does not multiply by these branches; frame_done calls it for
 * every send (the spoof check) and for a received frame tracks_request() times. `ids` is the
 * header's source (high half) and first target; `self` the process (high half) and its agent id (0
 * until discovery has identified it); `what` the msg_type (low 16 bits) with TRACK_REPLY,
 * TRACK_RECEIVED and that agent's type (TRACK_SELF_TYPE_SHIFT). Returns the source
 * id to count the frame under: the header's, or on a send whose header names an
 * agent of another type than the sender (SPOOFED_SOURCE), the sender's own.
 */
__noinline __u32 frame_signals(__u64 ids, __u64 sequence, __u64 self, __u32 what, __u64 now)
{
	__u32 source = ids >> 32, target = (__u32)ids, self_id = (__u32)self;
	__u32 self_type = (what >> TRACK_SELF_TYPE_SHIFT) & 0x1f;
	__u32 received = what & TRACK_RECEIVED, reply = what & TRACK_REPLY;

	if (!received && self_type && agent_type(source) != self_type) {
		count_walk_event(WALK_SPOOFED_SOURCE, 1);
		source = self_id;
	}
	if (!tracks_request(received, what & 0xffff, reply))
		return source;
	track_request(sequence, (self & ~0xffffffffull) | (received ? source : target),
		      (what & (TRACK_REPLY | TRACK_RECEIVED)) |
			  (received ? agent_type(target) << TRACK_TYPE_SHIFT : 0),
		      received ? target : 0, now);
	return source;
}

#endif /* AGENTMON_SOCKET_SIGNALS_BPF_H */
