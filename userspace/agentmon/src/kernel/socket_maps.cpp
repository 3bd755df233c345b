#include "kernel/socket_maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "abi/trace_context.h"
#include "kernel/probes.h"

// After socket_trace.h (via socket_reading.h): the skeleton embeds its types.
#include "socket_trace.skel.h"

namespace agentmon {

namespace {

// Every map but the internal ones (scratch space included, see
// pin_all_but_internal_maps), less the watched set when the agent state object
// owns it: that object pins it (at the same <pin_dir>/watched) and this one
// reuses its fd, pinned or not.
bool pin_all_but_internal_and_watched(const bpf_map* map) {
    return pin_all_but_internal_maps(map) && std::strcmp(bpf_map__name(map), "watched") != 0;
}

// Before load: one set of entry points, the other left unloaded (its pinned links
// of an earlier run are removed by attach_all). Both run the same handler.
template <class Skeleton>
void select_hooks(Skeleton& skel, bool syscalls, bool bounded, Logger& log) {
    const_cast<std::uint8_t&>(skel->rodata->socket_twin) = syscalls ? 1 : 0;
    if (!syscalls) {  // the twin's maps, unused: kept minimal
        bpf_map__set_max_entries(skel->maps.twin_conns, 1);
        bpf_map__set_max_entries(skel->maps.twin_calls, 1);
    }
    bpf_program__set_autoload(skel->progs.on_sock_send, !syscalls);
    bpf_program__set_autoload(skel->progs.on_sock_recv, !syscalls);
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, skel->obj) {
        if (std::strncmp(bpf_program__name(prog), "twin_", 5) == 0)
            bpf_program__set_autoload(prog, syscalls);
    }
    // Before 5.17 there is no bpf_loop: the twin's handler is then the one built
    // with bounded loops, which walks at most 16 iovecs per call and 1024 frames
    // per iovec of a vectored call (the rest counted as WALK_TRUNCATED).
    if (syscalls && bounded) {
        bpf_program__set_autoload(skel->progs.twin_exit_write, false);
        log.warn(
            "socket path: the syscall tracepoint twin walks with bounded loops (no "
            "bpf_loop before kernel 5.17, or socket_hooks \"syscalls_bounded\"): at most "
            "16 iovecs per call and 1024 frames per iovec of readv, writev, sendmsg and "
            "recvmsg (the rest counted as WALK_TRUNCATED)",
            {});
    } else {
        bpf_program__set_autoload(skel->progs.twin_noloop_exit_write, false);
    }
    // The Unix socket iterator is 5.17+: without it the Unix backlog reads 0.
    if (!kernel_btf_has("bpf_iter__unix", BTF_KIND_STRUCT)) {
        bpf_program__set_autoload(skel->progs.unix_backlog, false);
        log.warn("socket path: no iter/unix (kernel before 5.17): Unix receive backlog not read",
                 {});
    }
    // Socket storage from tracing programs and iterators came in 5.11, the release
    // of task storage maps, which is what is probed: before it the TCP backlog
    // iterator (which finds each socket's owner there) is refused.
    if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, nullptr) != 1) {
        bpf_program__set_autoload(skel->progs.tcp_backlog, false);
        log.warn(
            "socket path: no socket storage for iterators (kernel before 5.11): TCP "
            "receive backlog not read",
            {});
    }
}

}  // namespace

SocketMaps::SocketMaps(Skel skel, SocketHooks hooks)
    : skel_(std::move(skel)), hooks_(std::move(hooks)) {
    ncpus_ = std::max(1, libbpf_num_possible_cpus());
}

// Pins stay: the next start adopts them (`agentmon detach` removes them).
SocketMaps::~SocketMaps() = default;

Result<std::unique_ptr<SocketMaps>> SocketMaps::create(const SocketProgramOptions& options,
                                                       Logger& log) {
    BpfObjectPlan plan{"socket path",
                       "needs root or CAP_BPF+CAP_PERFMON, and the sock_send_length/"
                       "sock_recv_length tracepoints of kernel 6.3+ or the syscall "
                       "tracepoints of the twin; `agentmon check` shows which is missing",
                       options.pin_dir,
                       options.shared_watched_fd >= 0 ? pin_all_but_internal_and_watched
                                                      : pin_all_but_internal_maps,
                       /*pin_links=*/true};
    auto opened = Skel::open({socket_trace__open, socket_trace__load, socket_trace__destroy},
                             std::move(plan));
    if (!opened) return opened.error();
    Skel skel = std::move(opened).value();

    // Configure between open and load: rodata is frozen at load.
    auto* ro = skel->rodata;
    std::memcpy(const_cast<frame_spec*>(&ro->spec), &options.spec, sizeof(frame_spec));
    if (options.latency_bounds_ns.size() > HIST_BOUNDS_MAX ||
        options.size_bounds_bytes.size() > HIST_BOUNDS_MAX)
        return Error{"socket path: at most " + std::to_string(HIST_BOUNDS_MAX) +
                     " histogram bounds are supported"};
    for (std::size_t i = 0; i < options.latency_bounds_ns.size(); ++i)
        const_cast<__u64&>(ro->latency_bounds_ns[i]) = options.latency_bounds_ns[i];
    ro->latency_bound_count = static_cast<std::uint32_t>(options.latency_bounds_ns.size());
    for (std::size_t i = 0; i < options.size_bounds_bytes.size(); ++i)
        const_cast<__u64&>(ro->size_bounds_bytes[i]) = options.size_bounds_bytes[i];
    ro->size_bound_count = static_cast<std::uint32_t>(options.size_bounds_bytes.size());
    ro->request_type_mask = options.request_type_mask;
    ro->spec_tracks_requests = options.spec.sequence.width != 0 && options.spec.reply_mask != 0;
    set_rodata_string(ro->comm_prefix, options.comm_prefix);
    ro->scope_pidns_inum = options.scope.pidns_inode;
    ro->scope_cgroup_id = options.scope.cgroup_id;
    // Keyed on what the labels keep, the frames map holds every key there can be:
    // far fewer than the full key's, so far less to read each tick.
    ro->frame_key_keep = options.frame_key_keep & KEEP_ALL;
    std::uint32_t frame_slots =
        std::min<std::uint32_t>(frame_series_slots(ro->frame_key_keep), FRAMES_MAX);
    if (options.frames_map_entries) frame_slots = std::min(frame_slots, options.frames_map_entries);
    if (int err = bpf_map__set_max_entries(skel->maps.frames, frame_slots))
        return errno_error("size the frames map", -err);
    ro->label_set_quota = options.label_quota;
    ro->trace_threshold = options.trace_threshold;
    ro->trace_context_offset = options.trace_context_offset;
    // The decoder reads `span` header bytes; the trace context must be among them.
    if (options.trace_threshold && options.trace_context_offset) {
        const std::uint32_t end = options.trace_context_offset + TRACE_CONTEXT_BYTES;
        auto& spec = const_cast<frame_spec&>(ro->spec);
        if (end > FRAME_SPAN_MAX || end > spec.header_size)
            return Error{"tracing: the trace context (header bytes " +
                         std::to_string(options.trace_context_offset) + ".." +
                         std::to_string(end - 1) +
                         ") must lie within the frame header and its first " +
                         std::to_string(FRAME_SPAN_MAX) + " bytes"};
        spec.span = std::max<std::uint16_t>(spec.span, static_cast<std::uint16_t>(end));
    }

    if (options.shared_watched_fd >= 0) {
        if (int err = bpf_map__reuse_fd(skel->maps.watched, options.shared_watched_fd))
            return errno_error("reuse the agent state path's watched set", -err);
        // The agent state object runs the same hook bodies on that map. Unloaded,
        // these are not attached, and a link an earlier run pinned for them is
        // removed (BpfLifecycle::attach_all), so each task event runs one program.
        for (bpf_program* hook :
             {skel->progs.on_task_rename, skel->progs.on_process_fork, skel->progs.on_process_exit})
            bpf_program__set_autoload(hook, false);
    }

    auto hooks = choose_socket_hooks(options.hooks);
    if (!hooks) return hooks.error();
    select_hooks(skel, hooks->syscalls, hooks->bounded, log);

    if (Status st = skel.load(log); !st) return st.error();
    if (hooks->syscalls) {
        // The twin's nine other exit programs tail-call write's, which runs the handler.
        const std::uint32_t slot = 0;
        bpf_program* run = bpf_program__autoload(skel->progs.twin_exit_write)
                               ? skel->progs.twin_exit_write
                               : skel->progs.twin_noloop_exit_write;
        const int handler = bpf_program__fd(run);
        if (bpf_map_update_elem(bpf_map__fd(skel->maps.twin_exit_handler), &slot, &handler,
                                BPF_ANY))
            return errno_error("socket path: set the twin's exit handler", errno);
    }
    std::unique_ptr<SocketMaps> maps(new SocketMaps(std::move(skel), std::move(hooks).value()));
    maps->frame_key_keep_ = options.frame_key_keep & KEEP_ALL;
    auto requests = RequestTable::map(bpf_map__fd(maps->skel_->maps.requests));
    if (!requests) return requests.error();
    maps->requests_.emplace(std::move(requests).value());
    if (options.attach) {
        if (Status st = maps->skel_.attach_all(log); !st) return st.error();
    }
    return maps;
}

Status SocketMaps::set_agent_types(const std::vector<std::uint32_t>& type_of_id) {
    const int fd = bpf_map__fd(skel_->maps.agent_type_of);
    const std::uint32_t n = std::min<std::uint32_t>(type_of_id.size(), AGENT_ID_TYPE_MAX);
    agent_types_.assign(type_of_id.begin(), type_of_id.begin() + n);
    for (std::uint32_t id = 0; id < n; ++id) {
        std::uint32_t type = type_of_id[id];
        if (bpf_map_update_elem(fd, &id, &type, BPF_ANY))
            return errno_error("update agent_type_of", errno);
    }
    return Status::success();
}

Result<std::size_t> SocketMaps::sync_watched(const std::map<std::uint32_t, std::uint32_t>& tasks) {
    const int fd = bpf_map__fd(skel_->maps.watched);
    for (const auto& [tid, agent_id] : tasks) {
        watched_task current{};
        if (bpf_map_lookup_elem(fd, &tid, &current) == 0 && current.agent_id == agent_id) continue;
        watched_task task{agent_id, current.flags};
        if (bpf_map_update_elem(fd, &tid, &task, BPF_ANY))
            return errno_error("update watched task " + std::to_string(tid), errno);
    }
    // Entries discovery does not know. The ones the kernel added (a rename or fork,
    // maybe after discovery's scan) are the kernel's to remove: its exit hook deletes
    // them. Asking agentmon's /proc about them is wrong whenever agentmon runs in
    // another pid namespace (a container, a sidecar): the key is a host tid that its
    // /proc does not show, and deleting it stopped the counting of live agents. Only
    // entries discovery wrote itself, and no longer sees, go: a task that left the
    // agent rules, or one that exited before the kernel watched it.
    std::vector<std::uint32_t> stale;
    std::size_t entries = 0;
    std::uint32_t key = 0, next = 0;
    const void* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        ++entries;
        if (tasks.count(key)) continue;
        watched_task current{};
        if (bpf_map_lookup_elem(fd, &key, &current) != 0) continue;  // exited meanwhile
        if (current.flags & (WATCHED_FROM_RENAME | WATCHED_FROM_FORK)) continue;
        stale.push_back(key);
    }
    for (auto tid : stale) bpf_map_delete_elem(fd, &tid);
    return entries - stale.size();
}

}  // namespace agentmon
