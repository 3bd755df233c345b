/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The frame walker's decoding: the frame spec (rodata, set at load), the per-CPU
 * window the user buffer is copied into, the per-socket walk state, and reading
 * and trusting one header. The walk itself is in frame_walk.bpf.h.
 */
#ifndef AGENTMON_FRAME_DECODE_BPF_H
#define AGENTMON_FRAME_DECODE_BPF_H

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

#endif /* AGENTMON_FRAME_DECODE_BPF_H */
