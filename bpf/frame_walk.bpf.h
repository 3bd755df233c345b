/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The frame walker: finds every frame in the bytes one send or receive moved,
 * keeping per-socket state so frames split across calls (down to single bytes)
 * and many frames in one call are both counted exactly once, when their last
 * byte passes. Garbage is counted and skipped by scanning for the next magic.
 *
 * Costs that shaped it (measured on the development machine, 6.18):
 *  - bpf_probe_read_user costs ~170 ns a call for small sizes, so the walker
 *    copies up to WINDOW bytes of the user buffer at once and reads headers from
 *    that copy, not each header from user memory;
 *  - bpf_loop keeps the verifier's work independent of the step budget, and
 *    what a complete frame costs is a global function (frame_done), verified
 *    once on its own rather than once per walker state.
 */
#ifndef AGENTMON_FRAME_WALK_BPF_H
#define AGENTMON_FRAME_WALK_BPF_H

#include "socket_signals.bpf.h"
#include "socket_spans.bpf.h"
#include "lib/bounded_loop.bpf.h"
#include "lib/crc32c.bpf.h"

const volatile struct frame_spec spec = {};

/* 16 KiB holds a 64-frame batch of 232-byte frames; larger writes take more copies.
 * The slack lets a header that starts near the end be read without a second check. */
#define WINDOW	       16384
#define RESYNC_BLOCK   64
/* Steps per buffer: one per frame (plus one per split header). A call that moves
 * more frames than this is counted in WALK_TRUNCATED and the walker resynchronises. */
#define MAX_WALK_STEPS 65536

struct window_buf {
	__u8 bytes[WINDOW + 2 * FRAME_SPAN_MAX];
};

/* One per direction: the send and receive programs can interleave on a CPU when
 * a task is preempted inside one; a program never interleaves with itself. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DIR_COUNT);
	__type(key, __u32);
	__type(value, struct window_buf);
} window SEC(".maps");

/* Per socket and direction. */
struct walk_state {
	__u32 need;  /* bytes of the current frame still to come; 0 = at a boundary */
	__u16 have;  /* header bytes collected in hdr[] while a header is split */
	__u8 resync; /* 1 = scanning for the next magic after malformed input */
	__u8 pad;
	__u32 window; /* the last bytes seen while scanning, as a big-endian number */
	__u32 pad2;
	struct frame_info cur;
	__u8 hdr[2 * FRAME_SPAN_MAX];
};

struct walk_ctx {
	struct walk_state *st;
	__u8 *win;     /* the copied window */
	__u64 ptr;     /* user address of the next byte */
	__u32 left;    /* user bytes left in this buffer */
	__u32 rest;    /* bytes of the call in the buffers after this one (iovecs) */
	__u32 win_off; /* ptr's offset in the window */
	__u32 win_len; /* valid bytes in the window */
	/* This direction's per-call sums, and the call (call_info: carrier, direction...). */
	struct pending *pending;
};

/* Reads one header field as the spec describes it. Widths are rodata constants, so
 * the verifier prunes the other cases; x86 allows unaligned map-value loads. */
static __always_inline __u64 load_field(const __u8 *b, __u16 offset, __u8 width, __u8 big_endian)
{
	const __u8 *p = b + (offset & (FRAME_SPAN_MAX - 1));

	switch (width) {
	case 1:
		return *p;
	case 2:
		return big_endian ? __builtin_bswap16(*(const __u16 *)p) : *(const __u16 *)p;
	case 4:
		return big_endian ? __builtin_bswap32(*(const __u32 *)p) : *(const __u32 *)p;
	case 8:
		return big_endian ? __builtin_bswap64(*(const __u64 *)p) : *(const __u64 *)p;
	}
	return 0;
}

#define FIELD(b, name) load_field(b, spec.name.offset, spec.name.width, spec.name.big_endian)

/* Decodes a complete header; returns the frame length, 0 when the header is invalid. */
static __always_inline __u32 parse_header(const __u8 *b, struct walk_ctx *c, struct frame_info *f)
{
	if (load_field(b, 0, spec.magic_width, spec.magic_big_endian) != spec.magic)
		return 0;
	__u64 payload = FIELD(b, payload_len);
	__u64 targets = spec.target_count.width ? FIELD(b, target_count) : 1;

	if (payload > spec.max_payload || targets > spec.max_targets)
		return 0;
	f->key.source = FIELD(b, source);
	f->key.target = targets ? FIELD(b, target) : 0;
	f->key.msg_type = FIELD(b, msg_type);
	f->key.priority = FIELD(b, priority);
	f->key.carrier = c->pending->call.carrier;
	f->key.direction = c->pending->call.direction;
	f->timestamp = FIELD(b, timestamp);
	f->sequence = FIELD(b, sequence);
	f->flags = FIELD(b, flags);
	f->ctx_root = 0;
	f->ctx_parent = 0;
	if (trace_threshold && trace_context_offset) {
		f->ctx_root = load_field(b, trace_context_offset, 8, 0);
		f->ctx_parent = load_field(b, trace_context_offset + 8, 8, 0);
	}
	f->len = spec.header_size + targets * spec.target_stride + payload;
	return f->len;
}

struct header_bytes {
	__u8 b[FRAME_SPAN_MAX];
};

/*
 * Whether a header that runs past its buffer is trusted: without its CRC while the
 * frame ends within the call (`call_avail`: this buffer's bytes and those of the
 * call's later iovecs), else only if its CRC (where the spec has one) matches.
 * Global, so the verifier checks it once apart from the walker's states (its
 * comparison inline multiplied them: the walker no longer loaded).
 */
static __always_inline int header_crc_matches(const struct header_bytes *h, __u32 len,
					      __u32 call_avail, const int noloop)
{
	if (!h)
		return 0;
	if (len <= call_avail && len <= WINDOW)
		return 1;
	__u32 covered = spec.crc.offset & (FRAME_SPAN_MAX - 1);

	return crc32c_of(h->b, covered, noloop) ==
	       (__u32)load_field(h->b, covered, 4, spec.crc.big_endian);
}

__noinline int header_crc_ok(const struct header_bytes *h, __u32 len, __u32 call_avail)
{
	return header_crc_matches(h, len, call_avail, 0);
}

/* The same, without bpf_loop (kernels before 5.17: see walk_buffer). */
__noinline int header_crc_ok_noloop(const struct header_bytes *h, __u32 len, __u32 call_avail)
{
	return header_crc_matches(h, len, call_avail, 1);
}

/*
 * A header is trusted for its length without its CRC only while the frame ends
 * within the bytes of the call (this buffer and the call's later iovecs: a
 * datagram sent as header and payload iovecs is one frame of the call): a forged
 * length could then hide at most the rest of this call, which the next magic
 * check catches. A frame that would swallow bytes beyond it (or more than a
 * window) must pass its CRC first, so a fake header claiming 1 MiB cannot hide
 * the frames that follow. The CRC costs ~4 instructions a byte, paid only by such
 * headers (a split frame's, a large one's).
 */
static __always_inline int header_trusted(const __u8 *b, __u32 len, const struct walk_ctx *c,
					  const int noloop)
{
	if (!spec.crc.width || (len <= c->left && len <= WINDOW))
		return 1;
	if (noloop)
		return header_crc_ok_noloop((const struct header_bytes *)b, len, c->left + c->rest);
	return header_crc_ok((const struct header_bytes *)b, len, c->left + c->rest);
}

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

static __always_inline void advance(struct walk_ctx *c, __u32 n)
{
	c->ptr += n;
	c->left -= n;
	c->win_off += n;
}

struct scan_ctx {
	__u8 *buf;
	__u32 n, window, mask, found;
};

static long scan_byte(__u32 i, struct scan_ctx *s)
{
	if (i >= s->n)
		return 1;
	s->window = (s->window << 8) | s->buf[i & (RESYNC_BLOCK - 1)];
	if ((s->window & s->mask) != spec.magic_window)
		return 0;
	s->found = i + 1;
	return 1;
}

/* Scans for the next magic; the rolling window in the state finds a magic that is
 * split across two calls. The magic's bytes become the start of the next header. */
static __always_inline long resync_step(struct walk_ctx *c, const int noloop)
{
	struct walk_state *st = c->st;
	__u32 n = c->left < RESYNC_BLOCK ? c->left : RESYNC_BLOCK;
	__u8 *buf = c->win + WINDOW; /* the slack: the window is re-read after a resync */

	if (bpf_probe_read_user(buf, n, (void *)c->ptr)) {
		count_walk_event(WALK_READ_FAILED, 1);
		return 1;
	}
	c->win_len = 0;
	struct scan_ctx sc = {
	    .buf = buf,
	    .n = n,
	    .window = st->window,
	    .mask = spec.magic_width == 4 ? 0xffffffff : (1u << (spec.magic_width * 8)) - 1,
	};

	loop_or_bounded(RESYNC_BLOCK, scan_byte, &sc, noloop);
	if (!sc.found) {
		st->window = sc.window;
		count_walk_event(WALK_MALFORMED_BYTES, n);
		advance(c, n);
		return 0;
	}
	for (__u32 k = 0; k < 4; k++)
		st->hdr[k] = sc.window >> ((spec.magic_width - 1 - k) & 3) * 8;
	st->have = spec.magic_width;
	st->resync = 0;
	st->window = 0;
	if (sc.found > spec.magic_width)
		count_walk_event(WALK_MALFORMED_BYTES, sc.found - spec.magic_width);
	advance(c, sc.found);
	return 0;
}

static __always_inline void start_resync(struct walk_state *st, __u32 window)
{
	count_walk_event(WALK_MALFORMED, 1);
	st->resync = 1;
	st->window = window;
	st->have = 0;
}

/*
 * A header split across calls: bytes are collected into the state. The magic is
 * collected and checked first, so garbage is recognised before it could swallow
 * the start of the next real header. Returns 1 when hdr[] holds a whole header.
 */
static __always_inline int collect_split_header(struct walk_ctx *c)
{
	struct walk_state *st = c->st;
	__u32 have = st->have & (FRAME_SPAN_MAX - 1);
	__u32 width = spec.magic_width;
	__u32 take = have < width ? width - have : spec.span - have;

	if (take > c->left)
		take = c->left;
	if (bpf_probe_read_user(st->hdr + have, take & (FRAME_SPAN_MAX - 1), (void *)c->ptr)) {
		count_walk_event(WALK_READ_FAILED, 1);
		c->left = 0;
		return 0;
	}
	advance(c, take);
	st->have = have + take;
	if (have < width && st->have == width &&
	    load_field(st->hdr, 0, width, spec.magic_big_endian) != spec.magic) {
		/* Resume the scan with the bytes after the bad magic's first. */
		__u32 window = 0;

		for (__u32 k = 1; k < 4; k++)
			if (k < width)
				window = (window << 8) | st->hdr[k];
		start_resync(st, window);
		return 0;
	}
	return st->have >= spec.span;
}

/* One frame (or a split header's part, or a resync block). `noloop`: a constant,
 * 1 in the build for kernels without bpf_loop. */
static __always_inline long walk_step_body(struct walk_ctx *c, const int noloop)
{
	struct walk_state *st = c->st;

	if (c->left == 0)
		return 1;
	if (st->need) {
		__u32 step = st->need < c->left ? st->need : c->left;

		advance(c, step);
		st->need -= step;
		if (!st->need)
			frame_done(c->pending, &st->cur);
		return 0;
	}
	if (st->resync)
		return resync_step(c, noloop);

	__u32 span = spec.span;
	__u32 len;

	if (st->have == 0 && c->left >= span) {
		/* The common case: a whole header in this buffer, read from the window. */
		if (c->win_off + span > c->win_len) {
			__u32 n = c->left < WINDOW ? c->left : WINDOW;

			if (bpf_probe_read_user(c->win, n, (void *)c->ptr)) {
				count_walk_event(WALK_READ_FAILED, 1);
				return 1;
			}
			c->win_off = 0;
			c->win_len = n;
		}
		__u8 *hdr = c->win + (c->win_off & (WINDOW - 1));

		len = parse_header(hdr, c, &st->cur);
		if (len < span || !header_trusted(hdr, len, c, noloop)) {
			/* Step one byte past a bad header so that the scan always advances. */
			start_resync(st, 0);
			advance(c, 1);
			return 0;
		}
		advance(c, span);
	} else {
		if (!collect_split_header(c))
			return 0;
		st->have = 0;
		len = parse_header(st->hdr, c, &st->cur);
		if (len < span || !header_trusted(st->hdr, len - span, c, noloop)) {
			start_resync(st, 0);
			return 0;
		}
	}
	st->need = len - span;
	if (st->need <= c->left) {
		advance(c, st->need);
		st->need = 0;
		frame_done(c->pending, &st->cur);
	}
	return 0;
}

static long walk_step(__u32 index, struct walk_ctx *c)
{
	return walk_step_body(c, 0);
}

/*
 * One step of the walk for kernels before 5.17, which have no bpf_loop: global, so
 * the verifier checks the step once and the caller's bounded loop of calls costs it
 * a few instructions per round. Its arguments are plain memory to the verifier, so
 * the walk's pointers come as arguments and its position as a cursor.
 */
__noinline int walk_step_noloop(struct walk_state *st, struct window_buf *w, struct pending *p,
				struct walk_cursor *cur)
{
	if (!st || !w || !p || !cur)
		return 1;
	struct walk_ctx c = {.st = st,
			     .win = w->bytes,
			     .ptr = cur->ptr,
			     .left = cur->left,
			     .rest = cur->rest,
			     .win_off = cur->win_off,
			     .win_len = cur->win_len,
			     .pending = p};
	long stop = walk_step_body(&c, 1);

	cur->ptr = c.ptr;
	cur->left = c.left;
	cur->win_off = c.win_off;
	cur->win_len = c.win_len;
	return stop;
}

/* Bytes the walker cannot follow (step budget, iovec count): counted, and the
 * stream's next frame is found by scanning for its magic. */
static __always_inline void truncate_walk(struct walk_state *st)
{
	count_walk_event(WALK_TRUNCATED, 1);
	st->need = 0;
	st->have = 0;
	st->resync = 1;
	st->window = 0;
}

/*
 * Without bpf_loop (kernels before 5.17): up to NOLOOP_WALK_STEPS steps, then
 * returns 0 (more to walk) or, once a step has stopped the walk, 1. Global too:
 * the verifier follows each round of a bounded loop and keeps a branch per round
 * to come back to, so the rounds are split, 1024 here and NOLOOP_WALK_ROUNDS in
 * the caller, to stay far below its limit of 8192 branches while walking as many
 * steps as bpf_loop's walk (MAX_WALK_STEPS). The caller's rounds are unrolled in
 * the handler, each ~700 instructions to verify, so a buffer of a call's iovecs
 * (16 of them) gets one: 1024 frames.
 */
#define NOLOOP_WALK_STEPS  1024
#define NOLOOP_WALK_ROUNDS (MAX_WALK_STEPS / NOLOOP_WALK_STEPS)
__noinline int walk_buffer_noloop(struct walk_state *st, struct window_buf *w, struct pending *p,
				  struct walk_cursor *cur)
{
	if (!st || !w || !p || !cur)
		return 1;
	for (__u32 i = 0; i < NOLOOP_WALK_STEPS; i++)
		if (walk_step_noloop(st, w, p, cur))
			return 1;
	return 0;
}

/* Walks one contiguous user buffer. A buffer with more frames than the walk's
 * steps (MAX_WALK_STEPS; without bpf_loop, `rounds` x NOLOOP_WALK_STEPS) is
 * counted as WALK_TRUNCATED, and the walker resynchronises. */
static __always_inline void walk_buffer(struct walk_ctx *c, __u64 ptr, __u32 len, const int noloop,
					const __u32 rounds)
{
	c->ptr = ptr;
	c->left = len;
	c->win_off = 0;
	c->win_len = 0;
	if (noloop) {
		/* In the pending value, not on the stack: 5.15's verifier holds the chain
		 * of frames under the handler to 512 bytes. */
		struct walk_cursor *cur = &c->pending->cursor;

		cur->ptr = ptr;
		cur->left = len;
		cur->rest = c->rest;
		cur->win_off = 0;
		cur->win_len = 0;
		for (__u32 round = 0; round < rounds; round++)
			if (walk_buffer_noloop(c->st, (struct window_buf *)c->win, c->pending, cur))
				break;
		c->left = cur->left;
	} else {
		bpf_loop(MAX_WALK_STEPS, walk_step, c, 0);
	}
	if (c->left)
		truncate_walk(c->st);
}

#endif /* AGENTMON_FRAME_WALK_BPF_H */
