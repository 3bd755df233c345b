// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The ring path: a sleepable task iterator that, once per collection tick, copies
 * each watched ring's control block, the header of its oldest unconsumed frame and
 * a bounded sample of its records out of the agent processes' memory with
 * bpf_copy_from_user_task(). Nothing runs per message: shared-memory rings make no
 * syscall to hook, and a uprobe per message would cost about 5 us against about
 * 0.2 us of work per frame. See docs/ring-path.md.
 */
#include <linux/bpf.h>
#include "vmlinux_min.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "abi/ring_reader.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RING_SLOTS_MAX);
	__type(key, __u32);
	__type(value, struct ring_slot);
} ring_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RING_SLOTS_MAX); /* at most one process per ring */
	__type(key, __u32);		     /* tgid */
	__type(value, struct ring_proc);
} ring_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_READS_BYTES);
} ring_reads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RING_EVENT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} reader_events SEC(".maps");

static __always_inline void count_event(__u32 event, __u64 n)
{
	__u64 *slot = bpf_map_lookup_elem(&reader_events, &event);

	if (slot)
		__sync_fetch_and_add(slot, n);
}

static __always_inline __u64 control_u64(const struct ring_control_read *r, __u32 offset)
{
	return *(const __u64 *)(r->control + offset);
}

static __always_inline __u32 control_u32(const struct ring_control_read *r, __u32 offset)
{
	return *(const __u32 *)(r->control + offset);
}

/* Copies the record header at ring position `pos`: the oldest unconsumed frame. A
 * pad record there means the frame is at the start of the data area. */
static __always_inline void read_hol(struct ring_control_read *r, const struct ring_slot *slot,
				     struct task_struct *task, __u64 pos, __u32 size)
{
	__u64 offset = pos & (size - 1);
	__u32 magic = 0;

	if (offset + RING_HOL_BYTES > size) {
		/* Too little room for a header before the end: this can only be a pad. */
		pos += size - offset;
		offset = 0;
	}
	r->hol_err = bpf_copy_from_user_task(
	    r->hol, sizeof(r->hol), (void *)(slot->addr + RING_DATA_OFFSET + offset), task, 0);
	if (r->hol_err)
		return;
	magic = *(__u32 *)r->hol;
	if (magic == RING_PAD_MAGIC && offset != 0) {
		pos += size - offset;
		offset = 0;
		r->hol_err = bpf_copy_from_user_task(
		    r->hol, sizeof(r->hol), (void *)(slot->addr + RING_DATA_OFFSET), task, 0);
		if (r->hol_err)
			return;
	}
	r->hol_valid = 1;
	r->hol_position = pos;
}

/* A window's length at `pos`: 4 KiB, cut at the data area's end (records never
 * wrap: the rest is the next window's) and at `end`. */
static __always_inline __u64 window_len(__u64 pos, __u64 end, __u32 size)
{
	__u64 len = RING_WINDOW_BYTES;

	if (len > size - (pos & (size - 1)))
		len = size - (pos & (size - 1));
	if (len > end - pos)
		len = end - pos;
	return len;
}

/* Copies one sample window into its own ring buffer record. */
static __always_inline int read_window(const struct ring_slot *slot, __u32 slot_id,
				       struct task_struct *task, __u64 pos, __u64 len, __u32 size)
{
	struct ring_window_read *w;
	__u64 offset = pos & (size - 1);

	w = bpf_ringbuf_reserve(&ring_reads, sizeof(*w), 0);
	if (!w)
		return -1;
	w->kind = RING_RECORD_WINDOW;
	w->slot = slot_id;
	w->position = pos;
	w->generation = slot->generation;
	w->len = 0;
	/* The asm keeps len's bound in the register the helper is called with. */
	asm volatile("%[len] &= %[mask]" : [len] "+r"(len) : [mask] "i"(RING_WINDOW_BYTES * 2 - 1));
	if (len > RING_WINDOW_BYTES || len == 0 ||
	    bpf_copy_from_user_task(w->data, len, (void *)(slot->addr + RING_DATA_OFFSET + offset),
				    task, 0)) {
		bpf_ringbuf_discard(w, 0);
		return -1;
	}
	w->len = len;
	bpf_ringbuf_submit(w, 0);
	return 0;
}

struct window_plan {
	const struct ring_slot *slot;
	struct task_struct *task;
	__u64 lo, span, head;
	__u64 next; /* contiguous windows: where the next one starts */
	__u32 slot_id, size, windows, contiguous;
	__u32 read, failed;
};

static long window_step(__u32 i, struct window_plan *p)
{
	__u64 pos, len;

	if (i >= p->windows)
		return 1;
	if (p->contiguous)
		pos = p->next; /* where the last one ended: no gap at the data area's end */
	else
		pos = (p->lo + p->span * i / p->windows) & ~7ull;
	if (pos >= p->head)
		return 1;
	len = window_len(pos, p->head, p->size);
	p->next = pos + len;
	if (read_window(p->slot, p->slot_id, p->task, pos, len, p->size))
		p->failed++;
	else
		p->read++;
	return 0;
}

/* Where the sample windows go: over the records from the last tick's tail to the
 * head, minus what the producer may overwrite while they are copied (an eighth of
 * the ring). When that span fits the windows (less one, for a window the data
 * area's end cuts short) they are laid end to end from its start and cover every
 * record; otherwise they are spread evenly over it. */
static __always_inline void plan_windows(struct window_plan *p, __u64 head, __u64 tail)
{
	__u64 lo = p->slot->sample_from;
	__u64 keep = p->size - p->size / 8;
	__u32 windows = p->slot->windows;

	if (lo > tail)
		lo = tail; /* the ring was re-created: start over at its tail */
	if (head > keep && lo < head - keep)
		lo = head - keep;
	if (windows > RING_WINDOWS_MAX)
		windows = RING_WINDOWS_MAX;
	p->lo = lo;
	p->head = head;
	p->span = head - lo;
	p->windows = windows;
	/* End to end, the data area's end may cut one window short: keep one spare. */
	p->contiguous = windows > 1 && p->span <= (__u64)(windows - 1) * RING_WINDOW_BYTES;
	p->next = lo;
}

static __always_inline __u32 check_control(const struct ring_control_read *r,
					   const struct ring_slot *slot)
{
	__u32 size = control_u32(r, 128), mask = control_u32(r, 132);

	if (size == 0 || (size & (size - 1)) || mask != size - 1)
		return RING_READ_BAD_SIZE;
	if ((__u64)RING_DATA_OFFSET + size > slot->map_len)
		return RING_READ_TRUNCATED;
	if (control_u64(r, 64) > control_u64(r, 0))
		return RING_READ_TAIL_AHEAD;
	return RING_READ_OK;
}

struct proc_walk {
	const struct ring_proc *proc;
	struct task_struct *task;
};

static long read_ring(__u32 i, struct proc_walk *walk)
{
	struct window_plan plan = {};
	struct ring_control_read *r;
	const struct ring_slot *slot;
	__u32 slot_id;
	__u64 head, tail, idx;

	if (i >= walk->proc->count || i >= RING_PER_PROC_MAX)
		return 1;
	/* The mask in asm is the bound the verifier sees: the compiler would fold a
	 * C mask into the comparison above and lose the bound on its way to the index. */
	idx = i;
	asm volatile("%[idx] &= %[mask]" : [idx] "+r"(idx) : [mask] "i"(RING_PER_PROC_MAX - 1));
	slot_id = walk->proc->slots[idx];
	slot = bpf_map_lookup_elem(&ring_slots, &slot_id);
	if (!slot)
		return 0;
	r = bpf_ringbuf_reserve(&ring_reads, sizeof(*r), 0);
	if (!r) {
		count_event(RING_EVENT_CONTROL_DROPPED, 1);
		return 0;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->kind = RING_RECORD_CONTROL;
	r->slot = slot_id;
	r->generation = slot->generation;
	if (slot->map_len < RING_DATA_OFFSET ||
	    bpf_copy_from_user_task(r->control, sizeof(r->control), (void *)slot->addr, walk->task,
				    0)) {
		r->status = RING_READ_CONTROL_FAILED;
		bpf_ringbuf_submit(r, 0);
		return 0;
	}
	r->read_ns = bpf_ktime_get_ns();
	count_event(RING_EVENT_RINGS_READ, 1);
	r->status = check_control(r, slot);
	if (r->status != RING_READ_OK) {
		bpf_ringbuf_submit(r, 0);
		return 0;
	}
	head = control_u64(r, 0);
	tail = control_u64(r, 64);
	plan.slot = slot;
	plan.task = walk->task;
	plan.slot_id = slot_id;
	plan.size = control_u32(r, 128);
	if (tail < head)
		read_hol(r, slot, walk->task, tail, plan.size);
	plan_windows(&plan, head, tail);
	bpf_loop(RING_WINDOWS_MAX, window_step, &plan, 0);
	r->windows = plan.read;
	r->window_errors = plan.failed;
	count_event(RING_EVENT_WINDOWS_READ, plan.read);
	count_event(RING_EVENT_WINDOWS_FAILED, plan.failed);
	if (bpf_copy_from_user_task(&r->head_after, sizeof(r->head_after), (void *)slot->addr,
				    walk->task, 0))
		r->head_after = head;
	/* Submitted last so that user space sees it after its windows: it closes the ring. */
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("iter.s/task")
int read_rings(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct proc_walk walk = {};
	__u32 tgid;

	/* Threads share their leader's memory: one visit per process. */
	if (!task || task->pid != task->tgid)
		return 0;
	count_event(RING_EVENT_TASKS_SEEN, 1);
	tgid = task->tgid;
	walk.proc = bpf_map_lookup_elem(&ring_procs, &tgid);
	if (!walk.proc)
		return 0;
	walk.task = task;
	bpf_loop(RING_PER_PROC_MAX, read_ring, &walk, 0);
	return 0;
}
