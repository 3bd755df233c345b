/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The ring path's contract between bpf/ring_reader.bpf.c and user space: fixed-width
 * types only. User space static_asserts every size.
 *
 * Each collection tick user space writes the rings it found (process, address, and
 * where it stopped reading last time) into ring_slots/ring_procs, runs the sleepable
 * task iterator once, and consumes what the program wrote to the ring_reads ring
 * buffer: per ring one ring_control_read, then its ring_window_reads. All parsing
 * (frame spec, resynchronisation, deltas) happens in user space; the program only
 * copies bytes out of the agents' memory, so its cost is a few copies per ring per
 * tick whatever the message rate.
 */
#ifndef AGENTMON_RING_READER_H
#define AGENTMON_RING_READER_H

#include <linux/types.h>

/* The ring layout of docs/transport.md "Ring layout". */
#define RING_CONTROL_BYTES 272	/* head .. bytes_read: every control field */
#define RING_DATA_OFFSET   4096 /* records start here */
#define RING_PAD_MAGIC	   0	/* a record whose u32 magic is 0 pads to the end of the data */

/* Rings read per tick. The reference bus's 28 agents use 56; 1024 leaves room for a
 * host of many buses. More are reported by user space, never silently dropped. */
#define RING_SLOTS_MAX	  1024
/* Rings one process may map that the iterator reads through it. */
#define RING_PER_PROC_MAX 64
/* The sample: at most this many windows of RING_WINDOW_BYTES per ring per tick
 * (64 KiB), spread over the records consumed since the last tick. */
#define RING_WINDOWS_MAX  16
#define RING_WINDOW_BYTES 4096
/* Header bytes of the oldest unconsumed frame that are copied (every AGEN field the
 * frame spec may name lies in the first 128 bytes; see FRAME_SPAN_MAX). */
#define RING_HOL_BYTES	  128

/* One ring to read this tick, written by user space (array map ring_slots). */
struct ring_slot {
	__u64 addr;	   /* start of the ring's mapping in process tgid */
	__u64 map_len;	   /* length of that mapping: the program never reads past it */
	__u64 sample_from; /* ring position (bytes) the sample starts at: last tick's tail */
	__u32 tgid;	   /* process the ring is read through */
	__u32 windows;	   /* sample windows wanted, 0..RING_WINDOWS_MAX */
	__u32 generation;  /* echoed back, so a stale read is recognisable */
	__u32 pad;
};

/* The rings read through one process (hash map ring_procs, keyed by tgid). */
struct ring_proc {
	__u32 count;
	__u32 slots[RING_PER_PROC_MAX];
};

enum ring_record_kind {
	RING_RECORD_CONTROL = 1,
	RING_RECORD_WINDOW = 2,
};

/* Why a read is incomplete (ring_control_read.status). */
enum ring_read_status {
	RING_READ_OK = 0,
	RING_READ_CONTROL_FAILED = 1, /* bpf_copy_from_user_task failed on the control block */
	RING_READ_BAD_SIZE = 2,	      /* size not a power of two, or mask != size - 1 */
	RING_READ_TRUNCATED = 3,      /* 4096 + size larger than the mapping */
	RING_READ_TAIL_AHEAD = 4,     /* tail > head */
};

struct ring_control_read {
	__u32 kind; /* RING_RECORD_CONTROL */
	__u32 slot;
	__u32 generation;
	__u32 status;	     /* enum ring_read_status */
	__u64 read_ns;	     /* bpf_ktime_get_ns() right after the control block was copied */
	__u64 head_after;    /* head re-read after the windows: records before
				head_after - size may have been overwritten while copied */
	__s32 hol_err;	     /* 0, or the error copying the oldest unconsumed header */
	__u32 hol_valid;     /* 1 when hol[] holds the header at hol_position */
	__u64 hol_position;  /* ring position of that header */
	__u32 windows;	     /* window records that follow */
	__u32 window_errors; /* windows that could not be copied or reserved */
	__u8 control[RING_CONTROL_BYTES];
	__u8 hol[RING_HOL_BYTES];
};

struct ring_window_read {
	__u32 kind; /* RING_RECORD_WINDOW */
	__u32 slot;
	__u64 position; /* ring position of data[0] */
	__u32 len;	/* valid bytes in data */
	__u32 generation;
	__u8 data[RING_WINDOW_BYTES];
};

/* The ring buffer holds one tick's records: 1024 rings with their full sample would
 * need 70 MiB, so the sample shrinks (user space lowers windows) before that; 8 MiB
 * holds 56 rings at 16 windows each four times over. A failed reserve is counted in
 * window_errors, or for a control record in the reader_events map. */
#define RING_READS_BYTES (8u << 20)

enum ring_reader_event {
	RING_EVENT_TASKS_SEEN = 0,	/* leaders the iterator looked at */
	RING_EVENT_RINGS_READ = 1,	/* control blocks copied */
	RING_EVENT_CONTROL_DROPPED = 2, /* control records the ring buffer had no room for */
	RING_EVENT_WINDOWS_READ = 3,
	RING_EVENT_WINDOWS_FAILED = 4,
	RING_EVENT_COUNT = 5,
};

#endif
