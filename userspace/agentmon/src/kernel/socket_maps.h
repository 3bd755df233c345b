#pragma once
// Owns the socket path's BPF object (bpf/socket_trace.bpf.c) through
// BpfSkeleton: configures it between open and load, attaches it (maps and links
// pinned, so counting goes on while agentmon is down), keeps the kernel's view of
// which tasks are agents in step with discovery, and reads the maps each tick.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_program_ref.h"
#include "kernel/bpf_skeleton.h"
#include "kernel/kernel_scope.h"
#include "kernel/request_table.h"
#include "kernel/socket_hooks.h"
#include "kernel/socket_reading.h"

struct socket_trace;

namespace agentmon {

struct SocketProgramOptions {
    frame_spec spec{};
    std::vector<std::uint64_t> latency_bounds_ns;  // at most HIST_BOUNDS_MAX, increasing
    std::vector<std::uint64_t> size_bounds_bytes;
    // Tasks taking a comm with this prefix are watched by the kernel at once; ""
    // leaves all watching to user space's discovery.
    std::string comm_prefix = "AG_";
    std::string pin_dir;  // "" = do not pin
    // msg_type values that expect a reply (bit n = msg_type n): processing time.
    std::uint32_t request_type_mask = (1u << 1) | (1u << 8) | (1u << 11);
    // The agent state path's watched set (AgentStateMaps::watched_fd), or -1. When
    // set, this object uses that map and leaves its own task rename/fork/exit
    // hooks unloaded: the agent state object runs the same hook bodies for both.
    int shared_watched_fd = -1;
    KernelScope scope;  // which tasks the rename hook may watch
    // The header fields the frames map keys by (KEEP_* bits of abi/socket_trace.h):
    // what the labels of the frame counters keep. The map is sized to match.
    std::uint32_t frame_key_keep = KEEP_ALL;
    // Label sets one process may add to the frames map (LABEL_QUOTA): past it, its
    // new label sets are counted in overflow as LABEL_QUOTA.
    std::uint64_t label_quota = LABEL_QUOTA;
    // A cap on the frames map's entries below its key space (0: none).
    std::uint32_t frames_map_entries = 0;
    // Tracing (docs/tracing.md): requests are sampled when trace_sampled(root,
    // trace_threshold) (ratio * 2^32; 0 = off). trace_context_offset: where the
    // header's trace context lives (0 = not read).
    std::uint64_t trace_threshold = 0;
    std::uint32_t trace_context_offset = 0;
    // "auto", "sock_length", "syscalls" or "syscalls_bounded" (kernel/socket_hooks.h).
    std::string hooks = "auto";
    // false: load only, nothing attached (`agentmon check` asks whether this
    // kernel's verifier takes the handler; with pin_dir "" nothing stays).
    bool attach = true;
};

class SocketMaps {
  public:
    static Result<std::unique_ptr<SocketMaps>> create(const SocketProgramOptions& options,
                                                      Logger& log);
    ~SocketMaps();
    SocketMaps(const SocketMaps&) = delete;
    SocketMaps& operator=(const SocketMaps&) = delete;

    // id -> agent type (1..28, 0 = none) for ids below AGENT_ID_TYPE_MAX.
    Status set_agent_types(const std::vector<std::uint32_t>& type_of_id);

    // Makes the kernel's watched set hold `tasks` (host thread id -> agent id), keeping
    // every task the kernel itself added (rename, fork): those leave the set through
    // the kernel's exit hook. Returns how many tasks the kernel now watches.
    Result<std::size_t> sync_watched(const std::map<std::uint32_t, std::uint32_t>& tasks);

    // Reads every map, summed over CPUs. Never blocks on anything but the bpf syscall.
    Result<SocketReading> read() const;

    // Per agent process (tgid): packets waiting in its receive queues now (the
    // backlog iterators), and
    // failed sends and receives. Entries of processes not in `alive` are removed.
    std::map<std::uint32_t, backlog> read_backlog(const std::set<std::uint32_t>& alive);

    // Removes requests received more than `timeout_ns` before now that were never
    // answered, and counts them by responding agent type into `unanswered`.
    Status expire_requests(std::uint64_t timeout_ns,
                           std::array<std::uint64_t, AGENT_TYPE_SLOTS>& unanswered);

    std::vector<BpfProgramRef> programs() const;

    // The ring buffer of closed spans, for SpanRing (tracing on or off).
    int spans_fd() const;
    int span_stats_fd() const;
    int ncpus() const { return ncpus_; }
    // The hooks this object counts with, and why.
    const SocketHooks& hooks() const { return hooks_; }

  private:
    using Skel = BpfSkeleton<socket_trace>;

    SocketMaps(Skel skel, SocketHooks hooks);
    // The intruders map's offenders into `reading` (socket_intruders.cpp).
    void read_intruders(SocketReading& reading) const;

    Skel skel_;
    SocketHooks hooks_;
    std::optional<RequestTable> requests_;
    int ncpus_ = 1;
    std::uint32_t frame_key_keep_ = KEEP_ALL;
    mutable std::size_t frames_seen_ = 0;  // keys in the last read: the next one's reserve
    // The types set_agent_types wrote (the kernel's agent_type_of), by agent id.
    std::vector<std::uint32_t> agent_types_;
};

}  // namespace agentmon
