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

#include "frame_account.bpf.h" /* frame_done; frame_decode.bpf.h: spec, state, headers */

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
