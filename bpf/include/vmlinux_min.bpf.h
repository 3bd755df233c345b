/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Minimal CO-RE kernel type definitions for agentmon's BPF programs.
 *
 * Why not a generated vmlinux.h: a vmlinux.h dumped from the build host ties the
 * build to that host's kernel and is 100k+ lines nobody reviews. Instead each
 * kernel-internal struct we touch is declared here with ONLY the fields we read,
 * marked __attribute__((preserve_access_index)). clang then records every field
 * access as a CO-RE relocation (by name, not offset), and libbpf resolves it at
 * load time against the RUNNING kernel's BTF (/sys/kernel/btf/vmlinux). Field
 * order, offsets and struct sizes here are therefore irrelevant; only names and
 * types must match the kernel's.
 *
 * Where the definitions come from: the kernel sources (include/linux/sched.h for
 * task_struct, include/linux/bpf.h for the iterator context, include/trace/events/
 * for the tracepoint records), checked against `bpftool btf dump file
 * /sys/kernel/btf/vmlinux format c` on a 6.18 kernel.
 *
 * How to add a field: look it up in the running kernel's BTF
 * (`bpftool btf dump file /sys/kernel/btf/vmlinux format c | grep -A40 'struct task_struct {'`),
 * add it to the struct below with the same name and a compatible type, and read it
 * with BPF_CORE_READ() or a direct access (both relocate). If a field was renamed or
 * does not exist on some kernels, declare a `___suffix` flavour and test it with
 * bpf_core_field_exists() in a core_fixes.bpf.h (create it on first need), never with a
 * kernel version check.
 *
 * UAPI types (struct bpf_sock_ops, BPF_MAP_TYPE_*, ...) come from <linux/bpf.h>
 * and must NOT be redeclared here.
 */
#ifndef AGENTMON_VMLINUX_MIN_BPF_H
#define AGENTMON_VMLINUX_MIN_BPF_H

#include <linux/types.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pid;
struct css_set;
struct files_struct;

struct task_struct {
	int pid;  /* thread id */
	int tgid; /* process id */
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct pid *thread_pid; /* the thread's numbers in each pid namespace */
	struct css_set *cgroups;
	struct files_struct *files; /* the open file table */
};

/* include/linux/fdtable.h, include/linux/fs.h, include/linux/net.h: from a file
 * descriptor to its socket (the socket path's syscall tracepoint twin). */
struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
};

struct file {
	struct inode *f_inode;
	void *private_data; /* struct socket, for a socket's file */
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct sock;

struct socket {
	struct sock *sk;
};

/* arch/x86/include/asm/ptrace.h: the user registers saved at syscall entry, from
 * which the socket path reads the syscall number and its arguments. */
struct pt_regs {
	unsigned long r10;
	unsigned long r8;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
};

typedef struct {
	int counter;
} atomic_t;

/* include/net/sock.h */
struct sock_common {
	unsigned short skc_family;
};

/* include/linux/ns_common.h, include/linux/pid_namespace.h: inum is the inode
 * number /proc/<pid>/ns/pid shows. */
struct ns_common {
	unsigned int inum;
};

struct pid_namespace {
	struct ns_common ns;
};

/* include/linux/pid.h: a pid's number in each namespace; [0] is the initial one,
 * [level] the task's own. */
struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

/* include/linux/kernfs.h, include/linux/cgroup-defs.h: a cgroup v2 directory and
 * its id (the directory's inode number); self.parent is the parent cgroup's. */
struct kernfs_node {
	__u64 id;
};

struct cgroup_subsys_state {
	struct cgroup_subsys_state *parent;
};

struct cgroup {
	struct cgroup_subsys_state self;
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup *dfl_cgrp;
};

typedef struct {
	__u32 val;
} kuid_t;

/* include/linux/cred.h */
struct cred {
	kuid_t uid;
};

/* include/linux/skbuff.h: a queue of packets; qlen is how many. */
struct sk_buff_head {
	__u32 qlen;
};

struct sock {
	struct sock_common __sk_common;
	struct sk_buff_head sk_receive_queue;
	__u16 sk_type;
	atomic_t sk_drops;
	/* Unix sockets: the process at the other end (the connecting one, on the
	 * listener's accepted socket) and its credentials. */
	struct pid *sk_peer_pid;
	const struct cred *sk_peer_cred;
};

/* include/net/af_unix.h: a Unix socket and the socket at its other end. */
struct unix_sock {
	struct sock sk;
	struct sock *peer;
};

/* Opaque here: only passed through as pointers. */
struct seq_file;
struct tcp_sock;

/* include/linux/bpf.h: every iterator's context starts with this. */
struct bpf_iter_meta {
	struct seq_file *seq;
};

/* net/unix/af_unix.c and net/ipv4/tcp_ipv4.c: the socket iterators' contexts. */
struct bpf_iter__unix {
	struct bpf_iter_meta *meta;
	struct unix_sock *unix_sk;
};

struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	struct sock_common *sk_common;
};

/* include/linux/bpf.h: context of "iter/task" programs (DEFINE_BPF_ITER_FUNC(task, ...)). */
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

/* include/trace/events/syscalls.h: record of the sys_enter_* syscall tracepoints. */
struct trace_event_raw_sys_enter {
	long id;
	unsigned long args[6];
};

/* Record of the sys_exit_* syscall tracepoints. */
struct trace_event_raw_sys_exit {
	long id;
	long ret;
};

#pragma clang attribute pop

#endif /* AGENTMON_VMLINUX_MIN_BPF_H */
