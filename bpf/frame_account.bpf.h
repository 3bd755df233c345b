/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What a complete frame costs beyond its decoding (frame_done), and the call's
 * clock. The walker calls frame_done once per frame it has seen whole.
 */
#ifndef AGENTMON_FRAME_ACCOUNT_BPF_H
#define AGENTMON_FRAME_ACCOUNT_BPF_H

#include "frame_decode.bpf.h"

/*
 * The clock, read at most once per call. A receive reads it at the call's start
 * (each received frame's latency needs it); a send only when a frame does: a
 * reply (its processing time) or a traced frame. At one frame per call that is
 * one clock read fewer for every other send.
 */
static __always_inline __u64 call_now(struct call_info *call)
{
	if (!call->now)
		call->now = bpf_ktime_get_ns();
	return call->now;
}

/*
 * Everything a complete frame costs beyond its decoding: intruder frames, the
 * spoof check and request matching, tracing, the pending table and latency.
 * Global, so the verifier checks it once on its own: inlined in the walker, its
 * branches multiplied the walker's states up to the verifier's limit of 1 000 000
 * instructions, and a kernel update (6.18.44) took the walker past it. To the
 * verifier `p` and `f` are plain memory, so the call's context is in `p`.
 */
__noinline int frame_done(struct pending *p, struct frame_info *f)
{
	if (!p || !f)
		return 0;
	struct call_info *call = &p->call;
	int received = call->direction == DIR_RECEIVED;
	int has_latency = received && spec.timestamp.width;
	__u64 sent = f->timestamp * spec.timestamp_unit_ns;
	__u64 now = received ? call->now : 0;

	if (has_latency && spec.timestamp.width < 8) {
		/* A narrow timestamp wraps: compare in its own modulus. */
		__u64 modulus = 1ULL << (spec.timestamp.width * 8);
		__u64 now_units = now / spec.timestamp_unit_ns;

		sent = (now_units - (now_units - f->timestamp) % modulus) * spec.timestamp_unit_ns;
	}
	if (call->intruder.tgid) {
		/* From a process that is not an agent: never counted as agent traffic. */
		count_intruder_frame((__u64)call->intruder.tgid << 32 | call->intruder.uid,
				     (call->self_type ? call->self_type : agent_type(f->key.target))
					     << 8 |
					 call->carrier,
				     f->len);
		return 0;
	}
	__u32 reply = f->flags & spec.reply_mask;

	/* Spoofed sources (sends) and request/reply matching, verified apart (global).
	 * A received frame that is not a request has nothing there, nor has a send
	 * that is not a reply, from a source this call already found genuine (the
	 * frames of a stream mostly share their source). */
	if (received ? tracks_request(1, f->key.msg_type, reply)
		     : reply || p->memo.genuine_source != f->key.source + 1) {
		__u32 claimed = f->key.source;

		f->key.source =
		    frame_signals((__u64)claimed << 32 | f->key.target, f->sequence,
				  (__u64)call->tgid << 32 | call->self_id,
				  (f->key.msg_type & 0xffff) | (reply ? TRACK_REPLY : 0) |
				      (received ? TRACK_RECEIVED : 0) |
				      (call->self_type & 0x1f) << TRACK_SELF_TYPE_SHIFT,
				  received || reply ? call_now(call) : 0);
		if (!received && f->key.source == claimed)
			p->memo.genuine_source = claimed + 1;
	}
	if (trace_threshold && spec_tracks_requests) {
		if (reply ||
		    (f->key.msg_type < 32 && (request_type_mask & (1u << f->key.msg_type))))
			trace_frame(f,
				    (__u64)call->tgid << 32 | (__u32)call->carrier << 8 |
					(reply ? SPAN_REPLY : 0) | (received ? SPAN_RECEIVED : 0),
				    call_now(call));
	}
	count_frame(p, &f->key, f->len, now > sent ? now - sent : 0, has_latency, &p->memo);
	return 0;
}

#endif /* AGENTMON_FRAME_ACCOUNT_BPF_H */
