/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The socket path's watched set (agent thread ids whose sockets are decoded) and
 * the bodies of the rare-event hooks that keep it current: a task taking an agent
 * name is watched, threads and children of a watched task are watched, an exiting
 * task is dropped.
 *
 * One BPF object runs these hooks for the whole collector. When the agent state
 * path is loaded, its object (bpf/agent_state.bpf.c) owns the map and the hooks,
 * and the socket object reuses that map (bpf_map__reuse_fd) with its own copies
 * of the hooks left unloaded; a socket path running alone loads its own copies.
 * Either way each task event runs one program, not one per path.
 *
 * The bodies return 1 when a task did not fit (the map is full), for the owning
 * object to count in its own events.
 */
#ifndef AGENTMON_WATCHED_TASKS_BPF_H
#define AGENTMON_WATCHED_TASKS_BPF_H

#include "abi/socket_trace.h"

/*
 * Agent tasks (thread ids) whose sockets are decoded. 16384 covers a few
 * hundred agents with dozens of threads each; when full, a new agent task is
 * not watched and the owning object counts it.
 */
#define WATCHED_MAX 16384
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCHED_MAX);
	__type(key, __u32);
	__type(value, struct watched_task);
} watched SEC(".maps");

static __always_inline int watch_task(__u32 tid, __u32 agent_id, __u32 flags)
{
	struct watched_task task = {.agent_id = agent_id, .flags = flags};

	return bpf_map_update_elem(&watched, &tid, &task, BPF_NOEXIST) == -7 /* -E2BIG */;
}

/* task_rename with a name that passed the agent prefix test. */
static __always_inline int watched_on_agent_rename(__u32 tid)
{
	return watch_task(tid, 0, WATCHED_FROM_RENAME);
}

/* sched_process_fork: a thread or child of a watched task is watched like it. */
static __always_inline int watched_on_fork(__u32 parent_tid, __u32 child_tid)
{
	struct watched_task *p = bpf_map_lookup_elem(&watched, &parent_tid);

	return p ? watch_task(child_tid, p->agent_id, WATCHED_FROM_FORK) : 0;
}

/* sched_process_exit: every exiting task (a miss costs one hash probe). */
static __always_inline void watched_on_exit(__u32 tid)
{
	bpf_map_delete_elem(&watched, &tid);
}

#endif
