/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Spans of sampled requests (docs/tracing.md). The walker calls trace_frame()
 * only while tracing is on (trace_threshold, a rodata constant: off, the verifier
 * drops the call) and only for requests and replies, so every other frame pays one
 * branch. A sampled request opens a span in `open_spans`; its reply closes it into
 * one span_record in the `spans` ring buffer, which user space drains once per tick.
 */
#ifndef AGENTMON_SOCKET_SPANS_BPF_H
#define AGENTMON_SOCKET_SPANS_BPF_H

#include "socket_count.bpf.h"
#include "abi/trace_context.h"

/* One decoded header, as the walker keeps it per socket and direction. */
struct frame_info {
	struct frame_key key;
	__u32 len;
	__u32 flags;
	__u64 timestamp;
	__u64 sequence;
	__u64 ctx_root; /* trace context (0: none, or tracing off) */
	__u64 ctx_parent;
};

#define SPAN_RECEIVED 1 /* `self` bits of trace_frame */
#define SPAN_REPLY    2

static __always_inline void count_span_stat(__u32 stat)
{
	__u64 *value = bpf_map_lookup_elem(&span_stats, &stat);

	if (value)
		*value += 1;
}

/*
 * Global, verified on its own. `self` is the process (high half), the carrier
 * (bits 8..15), SPAN_REPLY and SPAN_RECEIVED. A request sent opens the client
 * span, a request received the server span; a reply sent closes the server span,
 * a reply received the client span. Both ends take the same sampling decision:
 * the request's trace root is the context's root, or its own client span id from
 * (source, sequence), which its reply names as (target, sequence).
 */
__noinline int trace_frame(const struct frame_info *f, __u64 self, __u64 now)
{
	if (!f)
		return 0;
	__u32 received = self & SPAN_RECEIVED, reply = (self & SPAN_REPLY) ? 1 : 0;
	struct open_span_key k = {.tgid = self >> 32,
				  .requester = reply ? f->key.target : f->key.source,
				  .sequence = f->sequence,
				  .kind = received ^ reply};
	__u64 root = f->ctx_root ? f->ctx_root : trace_span_id(k.requester, f->sequence);

	if (!trace_sampled(root, trace_threshold))
		return 0;
	if (!reply) {
		struct open_span o = {.start_ns = now,
				      .root = f->ctx_root,
				      .parent = f->ctx_parent,
				      .responder = f->key.target,
				      .request_bytes = f->len,
				      .msg_type = f->key.msg_type,
				      .priority = f->key.priority,
				      .carrier = (self >> 8) & 0xff};

		bpf_map_update_elem(&open_spans, &k, &o, BPF_ANY);
		return 0;
	}
	struct open_span *o = bpf_map_lookup_elem(&open_spans, &k);

	if (!o)
		return 0;
	struct span_record *r = bpf_ringbuf_reserve(&spans, sizeof(*r), 0);

	if (r) {
		r->key = k;
		r->open = *o;
		r->end_ns = now;
		r->reply_bytes = f->len;
		r->reply_type = f->key.msg_type;
		r->pad = 0;
		/* User space drains the buffer once per tick: no wake-up per span. */
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
		count_span_stat(SPAN_EMITTED);
	} else {
		count_span_stat(SPAN_RINGBUF_FULL);
	}
	bpf_map_delete_elem(&open_spans, &k);
	return 0;
}

#endif /* AGENTMON_SOCKET_SPANS_BPF_H */
