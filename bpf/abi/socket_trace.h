/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The socket path's contract between bpf/socket_trace.bpf.c and user space:
 * fixed-width types only. User space static_asserts every size.
 */
#ifndef AGENTMON_SOCKET_TRACE_H
#define AGENTMON_SOCKET_TRACE_H

#include <linux/types.h>

/* Header bytes the decoder may look at: every field of the frame spec ends within. */
#define FRAME_SPAN_MAX	  128
/* Histogram bounds are configurable; this many at most, plus an overflow (+Inf) slot. */
#define HIST_BOUNDS_MAX	  32
/* Agent types 1..28 plus 0 for ids that map to no type. */
#define AGENT_TYPE_SLOTS  29
/* Ids below this can be given a type by user space (registry entries); larger ids use
 * the rule type = (id - 1) % 28 + 1. */
#define AGENT_ID_TYPE_MAX 4096
/* msg_type values 0..15 are told apart in the size histogram; larger fold into 0. */
#define MSG_TYPE_SLOTS	  16

enum carrier {
	CARRIER_UNIX = 0,
	CARRIER_DGRAM = 1,
	CARRIER_TCP = 2,
	CARRIER_RING = 3,
	CARRIER_COUNT = 4,
};

enum direction {
	DIR_SENT = 0,
	DIR_RECEIVED = 1,
	DIR_COUNT = 2,
};

/* Where one header field lives. width 0 = the format has no such field. */
struct field_spec {
	__u16 offset;
	__u8 width; /* 0, 1, 2, 4 or 8 bytes */
	__u8 big_endian;
};

/* The declarative frame format the decoder runs on (config "frame_spec"). */
struct frame_spec {
	__u32 magic;
	__u32 magic_window; /* the magic's bytes in wire order, read as a big-endian number */
	__u8 magic_width;   /* 2 or 4; the magic is at offset 0 */
	__u8 magic_big_endian;
	__u16 header_size;   /* fixed header bytes */
	__u16 span;	     /* header bytes the decoder reads: the largest field end */
	__u16 target_stride; /* bytes per target id after the fixed header (UFP v3), 0 if inline */
	__u32 max_payload;   /* larger payload_len values are malformed */
	__u32 max_targets;   /* larger target_count values are malformed */
	__u32 reply_mask;    /* flags bits that mark a reply */
	__u32 pad;
	__u64 timestamp_unit_ns; /* 1 for ns, 1000000 for ms */
	struct field_spec payload_len, msg_type, priority, source, target_count, target, timestamp,
	    sequence, flags;
	/* CRC32C of the header bytes before it (width 4), or width 0: no CRC. Checked
	 * only for a header the walker would trust beyond the bytes of the call. */
	struct field_spec crc;
};

/* Frames and bytes of the socket path, keyed by raw header values. */
struct frame_key {
	__u32 source; /* agent id from the header */
	__u32 target; /* first target agent id; 0 when the frame names none */
	__u16 msg_type;
	__u8 priority;
	__u8 carrier;	/* enum carrier */
	__u8 direction; /* enum direction */
	__u8 pad[3];
};

struct frame_counts {
	__u64 frames;
	__u64 bytes;
};

/*
 * What the frames map is keyed by: agent types, not ids (labels carry types, so
 * instances of a type share a key), and only the header fields the configured
 * labels keep (rodata frame_key_keep, KEEP_* bits); a field not kept is 0, so the
 * kernel sums what user space would sum anyway. msg_type values above 15 are 0
 * and priorities above PRIORITY_MAX are PRIORITY_MAX + 1, as the exported labels
 * have them, so the key space is bounded: frame_series_slots() keys at most.
 */
struct frame_series_key {
	__u8 source_type; /* 0..28 */
	__u8 target_type;
	__u8 msg_type; /* 0..15 */
	__u8 priority; /* 0..PRIORITY_MAX + 1 */
	__u8 carrier;
	__u8 direction;
	__u8 pad[2];
};

#define KEEP_SOURCE   1
#define KEEP_TARGET   2
#define KEEP_MSG_TYPE 4
#define KEEP_PRIORITY 8
#define KEEP_ALL      (KEEP_SOURCE | KEEP_TARGET | KEEP_MSG_TYPE | KEEP_PRIORITY)
#define PRIORITY_MAX  5
/* The frames map's largest size (every label kept; see bpf/socket_maps.bpf.h). */
#define FRAMES_MAX    131072

/* Distinct frame_series_key values under `keep`. */
static inline __u32 frame_series_slots(__u32 keep)
{
	return (keep & KEEP_SOURCE ? AGENT_TYPE_SLOTS : 1) *
	       (keep & KEEP_TARGET ? AGENT_TYPE_SLOTS : 1) *
	       (keep & KEEP_MSG_TYPE ? MSG_TYPE_SLOTS : 1) *
	       (keep & KEEP_PRIORITY ? PRIORITY_MAX + 2 : 1) * CARRIER_COUNT * DIR_COUNT;
}

/*
 * Frames and bytes by agent type pair, carrier and direction, whatever the labels
 * keep: the flow matrix, the per-type received counts and the throughput. A per-CPU
 * array indexed by pair_index().
 */
#define PAIR_SLOTS (AGENT_TYPE_SLOTS * AGENT_TYPE_SLOTS * CARRIER_COUNT * DIR_COUNT)

static inline __u32 pair_index(__u32 source_type, __u32 target_type, __u32 carrier, __u32 direction)
{
	return ((source_type * AGENT_TYPE_SLOTS + target_type) * CARRIER_COUNT + carrier) *
		   DIR_COUNT +
	       direction;
}

/* Frames each agent id sent, and how many were ERROR frames (msg_type
 * MSG_TYPE_ERROR): the health score's per-instance inputs; and frames received
 * addressed to it (the header's first target, as frame_pairs' target type), for
 * agent_messages_processed_total by instance. Hash `agent_sends`, AGENT_SENDS_MAX
 * ids; a sent frame whose id does not fit is left out of the sends only, a
 * received one is counted by target type in the array `received_unattributed`,
 * so the per-type sum of received frames stays exact. A received frame adds a key
 * only for a target below AGENT_ID_TYPE_MAX (or one that has sent): a header's
 * target is not checked, and made-up ones must not fill the map. */
#define MSG_TYPE_ERROR	6
#define AGENT_SENDS_MAX 16384

struct agent_sends {
	__u64 frames;
	__u64 error_frames;
	__u64 received_frames;
};

/*
 * Frames whose key the frames map could not take (full: WALK_FRAMES_MAP_FULL; the
 * process's label quota used: WALK_LABEL_QUOTA) are still counted, in the per-CPU
 * array `frames_overflow` indexed by overflow_index(carrier, direction), so the
 * totals stay exact whatever fills the map. User space exports them as
 * source_agent="overflow".
 */
#define OVERFLOW_SLOTS (CARRIER_COUNT * DIR_COUNT)
/* Distinct label sets one process may add to the frames map by default (1/16 of
 * the largest map; the config's label_quota sets it): a real agent uses a few
 * thousand; one process cannot fill the map for everyone. */
#define LABEL_QUOTA    8192

static inline __u32 overflow_index(__u32 carrier, __u32 direction)
{
	return (carrier % CARRIER_COUNT) * DIR_COUNT + direction % DIR_COUNT;
}

/* A histogram over configured bounds: buckets[i] counts values <= bounds[i] and
 * > bounds[i-1]; buckets[HIST_BOUNDS_MAX] counts values above every bound. */
struct histogram {
	__u64 buckets[HIST_BOUNDS_MAX + 1];
	__u64 sum;
};

/*
 * Latency histograms live in a per-CPU array indexed by
 *   latency_index(source_type, target_type, carrier)
 * and size histograms in one indexed by size_index(msg_type, carrier, direction):
 * direct indexing, no hashing per frame.
 */
#define LATENCY_SLOTS (AGENT_TYPE_SLOTS * AGENT_TYPE_SLOTS * CARRIER_COUNT)
#define SIZE_SLOTS    (MSG_TYPE_SLOTS * CARRIER_COUNT * DIR_COUNT)

static inline __u32 latency_index(__u32 source_type, __u32 target_type, __u32 carrier)
{
	return (source_type * AGENT_TYPE_SLOTS + target_type) * CARRIER_COUNT + carrier;
}

static inline __u32 size_index(__u32 msg_type, __u32 carrier, __u32 direction)
{
	return (msg_type * CARRIER_COUNT + carrier) * DIR_COUNT + direction;
}

/* Failed send/receive syscalls on agents' sockets, by errno (clamped to ERRNO_SLOTS-1). */
#define ERRNO_SLOTS	    160
#define SYSCALL_ERROR_SLOTS (ERRNO_SLOTS * CARRIER_COUNT * DIR_COUNT)

static inline __u32 syscall_error_index(__u32 err, __u32 carrier, __u32 direction)
{
	if (err >= ERRNO_SLOTS)
		err = ERRNO_SLOTS - 1;
	return (err * CARRIER_COUNT + carrier) * DIR_COUNT + direction;
}

/* The decoder's own events, a per-CPU array indexed by enum walk_event. */
enum walk_event {
	WALK_MALFORMED = 0,	  /* bad magic or impossible length: resynchronising */
	WALK_MALFORMED_BYTES,	  /* bytes skipped while resynchronising */
	WALK_TRUNCATED,		  /* one call held more than the walker's step budget */
	WALK_READ_FAILED,	  /* the user buffer could not be read */
	WALK_FRAMES_MAP_FULL,	  /* a frame not counted by key: the frames map is full */
	WALK_CONN_STATE_FAILED,	  /* no per-socket state could be allocated */
	WALK_UNSUPPORTED_SYSCALL, /* a send/receive through a syscall the decoder cannot read */
	WALK_WATCHED_FULL,	  /* a new agent task not watched: the watched map is full */
	WALK_RCVQ_DROPS,	  /* packets the kernel dropped from agents' receive queues */
	WALK_SPOOFED_SOURCE,	  /* a frame whose header source is not the sending agent's type */
	WALK_REQUESTS_MAP_FULL, /* a request not timed: its slots in the requests table are taken */
	WALK_INTRUDERS_MAP_FULL, /* a non-agent's frame not attributed: the intruders map is full */
	WALK_LABEL_QUOTA, /* a frame folded into the overflow key: its process used its label quota
			   */
	WALK_EVENT_COUNT,
};

/* What the watched map records for each agent task (key: thread id). */
struct watched_task {
	__u32 agent_id; /* 0 until user space's discovery has identified the agent */
	__u32 flags;
};

#define WATCHED_FROM_RENAME 1 /* added by the kernel when the task took an agent name */
#define WATCHED_FROM_FORK   2 /* added by the kernel as a thread or child of an agent */

/*
 * Requests received by an agent and not answered yet (array `requests`, an
 * open-addressed table: a hash map's update and delete cost ~100 ns each, paid on
 * every request and reply). The reply is the frame the same process sends with the
 * REPLY flag, to the requester, carrying the request's sequence; its send time
 * minus the request's receive time is the agent's processing time. A request takes
 * the first free slot of REQUEST_PROBES from request_slot_of(key); received_ns is
 * the slot's state, changed only by compare-and-swap: 0 free, 1 being written,
 * otherwise live. User space frees live slots older than the request timeout and
 * counts them as unanswered (the table is mmapped).
 */
#define REQUEST_SLOTS  65536 /* a power of two */
#define REQUEST_PROBES 4

struct request_key {
	__u32 responder_tgid; /* the process that received the request */
	__u32 requester;      /* the request's source agent id */
	__u64 sequence;
};

struct request_slot {
	struct request_key key;
	__u64 received_ns;    /* bpf_ktime_get_ns() at receipt; 0 free, 1 being written */
	__u32 responder_type; /* agent type of the request's target */
	__u32 responder_id;   /* the request's target agent id */
};

/*
 * Processing-time histograms by responder: the per-CPU array `processing_by_agent`
 * indexed by the request's target id, for ids 1..PROCESSING_AGENTS_MAX-1 (an array
 * lookup per reply, as the by-type array costs, where a hash would hash and
 * compare). A reply of another responder id is counted by type only,
 * in the array `processing`; user space sums both by type.
 */
#define PROCESSING_AGENTS_MAX 1024

static inline __u32 request_slot_of(const struct request_key *k)
{
	__u64 h =
	    (k->sequence ^ ((__u64)k->requester << 32 | k->responder_tgid)) * 0x9E3779B97F4A7C15ull;

	return (__u32)(h >> 32) & (REQUEST_SLOTS - 1);
}

/* Frames an agent received from a process that is not an agent (hash `intruders`):
 * never counted as agent traffic. Unix stream sockets carry the peer's pid. */
struct intruder_key {
	__u32 tgid; /* the sending process */
	__u32 uid;
	__u32 target_type; /* agent type of the receiving agent */
	__u32 carrier;
};

/* Per agent process (hash `backlog`, by tgid): its failed sends and receives
 * (EAGAIN excluded), for its health score's error ratio. The packets waiting in
 * its socket receive queues (a packet holds at least one frame: one per datagram,
 * one or more per stream write) come from struct backlog_record instead. */
struct backlog {
	__s64 packets;
	__u64 errors;
};

/* What the backlog iterators (iter/unix, iter/tcp) write once per tick for each
 * socket an agent process has received on that has packets waiting: the kernel
 * keeps the queue length, so no send or receive pays for it. packets in the
 * backlog map stays 0; user space sums these records per process. */
struct backlog_record {
	__u32 owner_tgid;
	__u32 packets;
};

/*
 * Spans of sampled requests (docs/tracing.md). A sampled request opens a span at
 * both ends: at the requester when it is sent (SPAN_CLIENT), at the responder when
 * it is received (SPAN_SERVER); the reply closes each, at its send (server) and its
 * receipt (client). Open spans wait in the LRU hash `open_spans`; a closed span is
 * one span_record in the ring buffer `spans`. Nothing else per message leaves the
 * kernel.
 */
enum span_kind {
	SPAN_CLIENT = 0,
	SPAN_SERVER = 1,
};

struct open_span_key {
	__u32 tgid;	 /* the process that sent (client) or received (server) the request */
	__u32 requester; /* the request's source agent id */
	__u64 sequence;	 /* the request's sequence (its reply carries the same) */
	__u32 kind;	 /* enum span_kind */
	__u32 pad;
};

struct open_span {
	__u64 start_ns;	 /* bpf_ktime_get_ns() at the request's send or receipt */
	__u64 root;	 /* the context's root span id, 0 without context */
	__u64 parent;	 /* the context's parent span id, 0 without context */
	__u32 responder; /* the request's first target agent id */
	__u32 request_bytes;
	__u16 msg_type;
	__u8 priority;
	__u8 carrier;
	__u32 pad;
};

struct span_record {
	struct open_span_key key;
	struct open_span open;
	__u64 end_ns; /* bpf_ktime_get_ns() at the reply's receipt (client) or send (server) */
	__u32 reply_bytes;
	__u16 reply_type;
	__u16 pad;
};

/* Counters of the span path, a per-CPU array indexed by enum span_stat. */
enum span_stat {
	SPAN_EMITTED = 0,  /* span records written to the ring buffer */
	SPAN_RINGBUF_FULL, /* closed spans lost: the ring buffer was full */
	SPAN_STAT_COUNT,
};

/* 4 MiB: ~47k records of 80 bytes (+8 of ring header), several ticks of spans at
 * 100 % sampling of the reference bus's request rate. */
#define SPAN_RINGBUF_BYTES (4u << 20)
#define OPEN_SPANS_MAX	   16384

#endif /* AGENTMON_SOCKET_TRACE_H */
