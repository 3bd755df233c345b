/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The socket path's maps and the configuration user space writes before load:
 * definitions only (the accounting that updates them is in socket_count.bpf.h and
 * socket_signals.bpf.h). Every map is pinned by user space under
 * /sys/fs/bpf/agentmon/<name> and carries BTF, so `bpftool map dump pinned ...`
 * prints field names.
 */
#ifndef AGENTMON_SOCKET_MAPS_BPF_H
#define AGENTMON_SOCKET_MAPS_BPF_H

#include "abi/socket_trace.h"

/* Histogram bounds, set by user space between open and load (config). */
const volatile __u64 latency_bounds_ns[HIST_BOUNDS_MAX] = {};
const volatile __u32 latency_bound_count = 0;
const volatile __u64 size_bounds_bytes[HIST_BOUNDS_MAX] = {};
const volatile __u32 size_bound_count = 0;

/* msg_type values (bits) that expect a reply; config "request_types". */
const volatile __u32 request_type_mask = (1u << 1) | (1u << 8) | (1u << 11);
/* Set by user space when the frame spec has a sequence field and a reply flag. */
const volatile __u32 spec_tracks_requests = 0;
/* Tracing (docs/tracing.md): a request is sampled when trace_sampled(root,
 * trace_threshold); 0 = tracing off, and the verifier drops the span code. The trace
 * context is read at trace_context_offset in the header when it is not 0. */
const volatile __u64 trace_threshold = 0;
const volatile __u32 trace_context_offset = 0;

/* The watched set (thread ids): shared with the agent state path's object. */
#include "lib/watched_tasks.bpf.h"

/* Which header fields the frames map keys by (KEEP_* bits): the labels the
 * config's "labels" keeps for agent_transport_messages_total and
 * agent_transport_bytes_total together. */
const volatile __u32 frame_key_keep = KEEP_ALL;
/* Label sets one process may add to the frames map (the config's label_quota). */
const volatile __u64 label_set_quota = LABEL_QUOTA;

/*
 * Frames and bytes by agent types and the kept header fields (frame_series_key).
 * User space sizes the map before load to frame_series_slots(frame_key_keep),
 * every key there can be, at most FRAMES_MAX: a 28-type full mesh keeps about
 * 28*27*2 pairs x ~12 (type, priority) combinations x 2 directions per carrier
 * with every label kept (~36k keys a carrier), and 26k keys at most with the
 * shipped labels (no target). A frame whose key does not fit is counted in
 * WALK_FRAMES_MAP_FULL.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FRAMES_MAX);
	__type(key, struct frame_series_key);
	__type(value, struct frame_counts);
} frames SEC(".maps");

/* Frames by agent type pair, carrier and direction (pair_index()). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PAIR_SLOTS);
	__type(key, __u32);
	__type(value, struct frame_counts);
} frame_pairs SEC(".maps");

/* Frames sent and received by agent id (struct agent_sends). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, AGENT_SENDS_MAX);
	__type(key, __u32);
	__type(value, struct agent_sends);
} agent_sends SEC(".maps");

/* Received frames whose target id agent_sends had no room for, by target type. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AGENT_TYPE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} received_unattributed SEC(".maps");

/* Frames the frames map could not key (see frames_overflow in the ABI header). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OVERFLOW_SLOTS);
	__type(key, __u32);
	__type(value, struct frame_counts);
} frames_overflow SEC(".maps");

/* Label sets each process added to the frames map, by tgid, for LABEL_QUOTA. LRU:
 * an exited process's count ages out rather than taking a slot for good. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WATCHED_MAX);
	__type(key, __u32);
	__type(value, __u64);
} label_quota SEC(".maps");

/* Agent type (1..28, 0 = none) of ids below AGENT_ID_TYPE_MAX, from the registry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AGENT_ID_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} agent_type_of SEC(".maps");

/*
 * Frames of one send or receive are summed here before the frames and sizes maps
 * are touched: a hash update costs ~20 ns, and a batch of 64 frames usually holds
 * a dozen distinct keys. Slots are flushed when another key needs them and at the
 * end of every call, so nothing waits here between calls. One per direction: the
 * send and receive programs can interleave on a CPU, one program cannot.
 */
#define PENDING_SLOTS 16
struct pending_slot {
	struct frame_key key;
	__u64 frames;
	__u64 bytes;
	__u32 size_bucket; /* the size bucket of the last size_run frames */
	__u32 size_run;	   /* frames in size_bucket not yet in the sizes map */
};

struct user_iovec {
	__u64 base;
	__u64 len;
};

/* iovecs are copied this many at a time: a call's usual two (a datagram's header
 * and payload) cost one bpf_probe_read_user, not one each. */
#define IOV_BATCH 8

/*
 * The call being walked, as frame_done() needs it. frame_done() is a global
 * function, to which the verifier passes plain memory: so the call's context is
 * here, beside the pending table, not in the walker's stack (and holds no
 * pointers).
 */
struct call_info {
	__u64 now;	 /* the clock; 0 on a send until a frame needs it */
	__u32 tgid;	 /* the process sending or receiving */
	__u32 self_id;	 /* its agent id, 0 until discovery identified it */
	__u32 self_type; /* that id's type, 0 if unknown */
	__u8 carrier, direction, pad[2];
	struct intruder_key intruder; /* tgid 0: the peer is an agent (or unknown) */
};

/*
 * What the previous frame of the same call resolved: frames of one stream mostly
 * share a size and an agent pair, and their latencies fall in the same bucket or
 * next to it, so most frames skip the searches.
 */
struct frame_memo {
	__u32 len;
	__u32 size_bucket;
	__u32 source, target;
	__u32 genuine_source; /* a send's source id found genuine in this call, plus 1 */
	__u32 latency_index;  /* this pair's slot in `latency`; LATENCY_SLOTS until resolved */
	/* The call's frames of that pair in one latency bucket not yet in `latency`
	 * (flushed when the pair or bucket changes, and at the end of the call). */
	__u32 latency_bucket;
	__u32 latency_run;
	__u64 latency_sum;
};

/* Where a walk without bpf_loop is, between calls of walk_step_noloop (the
 * frame walker's, for kernels before 5.17). */
struct walk_cursor {
	__u64 ptr;
	__u32 left, rest, win_off, win_len;
};

struct pending {
	struct pending_slot slot[PENDING_SLOTS];
	struct call_info call;
	struct frame_memo memo;
	struct walk_cursor cursor;
	/* The process a new label set is charged to (LABEL_QUOTA): the sender's, also on
	 * the receiving side when the socket knows it (Unix stream), else the caller's. */
	__u32 quota_tgid;
	__u32 pad;
	/* The call's iovecs being walked. Here, not on the stack: verifiers before 6.13
	 * (no private stacks for tracing programs) sum the handler's frame and those of
	 * the walker's callbacks against 512 bytes, and 6.1 refused the twin at 544. */
	struct user_iovec iov[IOV_BATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DIR_COUNT);
	__type(key, __u32);
	__type(value, struct pending);
} pending SEC(".maps");

/* Directly indexed: latency_index() and size_index() in abi/socket_trace.h. */
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

/*
 * Requests in flight (request_slot in abi/socket_trace.h). Replies free their
 * request at once, so this holds what agents have received and not answered yet:
 * a few hundred at full rate on the reference bus. 65536 slots leave room for slow
 * agents and for the requests of dead ones until user space times them out; a
 * request whose REQUEST_PROBES slots are all taken is not timed and
 * WALK_REQUESTS_MAP_FULL counts it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, REQUEST_SLOTS);
	__type(key, __u32);
	__type(value, struct request_slot);
} requests SEC(".maps");

/* Processing-time histograms by responding agent id: 1024 x 272 bytes per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROCESSING_AGENTS_MAX);
	__type(key, __u32);
	__type(value, struct histogram);
} processing_by_agent SEC(".maps");

/* Processing-time histograms by the responding agent's type, of the replies
 * whose responder id processing_by_agent has no slot for. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AGENT_TYPE_SLOTS);
	__type(key, __u32);
	__type(value, struct histogram);
} processing SEC(".maps");

/* One entry per agent process that received on a socket; user space removes the
 * entries of processes that exited. 16384 as for the watched tasks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCHED_MAX);
	__type(key, __u32);
	__type(value, struct backlog);
} backlog SEC(".maps");

/* Offenders are few; 1024 (offender, target, carrier) keys, then WALK_INTRUDERS_MAP_FULL. */
#define INTRUDERS_MAX 1024
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, INTRUDERS_MAX);
	__type(key, struct intruder_key);
	__type(value, struct frame_counts);
} intruders SEC(".maps");

/* Spans of sampled requests (span_record in abi/socket_trace.h): the only per-message
 * data that goes to user space, and only for sampled requests. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SPAN_RINGBUF_BYTES);
} spans SEC(".maps");

/* Spans opened by a sampled request and not yet closed by its reply. LRU: a request
 * never answered is evicted by newer ones, so the table never fills for good. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OPEN_SPANS_MAX);
	__type(key, struct open_span_key);
	__type(value, struct open_span);
} open_spans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SPAN_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} span_stats SEC(".maps");

#endif /* AGENTMON_SOCKET_MAPS_BPF_H */
