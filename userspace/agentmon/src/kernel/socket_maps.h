#pragma once
// Owns the socket path's BPF object (bpf/socket_trace.bpf.c): configures it
// between open and load, attaches it, pins its maps, keeps the kernel's view of
// which tasks are agents in step with discovery, and reads the maps each tick.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_handles.h"
#include "kernel/bpf_program_ref.h"
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

    // Makes the kernel's watched set equal to `tasks` (thread id -> agent id), keeping
    // the tasks the kernel itself added since the last call when they are still alive.
    Status sync_watched(const std::map<std::uint32_t, std::uint32_t>& tasks);

    // Reads every map, summed over CPUs. Never blocks on anything but the bpf syscall.
    Result<SocketReading> read() const;

    // Per agent process (tgid): packets waiting, as of each socket's last look, and
    // failed sends and receives. Entries of processes not in `alive` are removed.
    std::map<std::uint32_t, backlog> read_backlog(const std::set<std::uint32_t>& alive);

    // Removes requests received more than `timeout_ns` before now that were never
    // answered, and counts them by responding agent type into `unanswered`.
    Status expire_requests(std::uint64_t timeout_ns,
                           std::array<std::uint64_t, AGENT_TYPE_SLOTS>& unanswered);

    std::vector<BpfProgramRef> programs() const;

  private:
    struct SkelDestroy {
        void operator()(socket_trace* skel) const;
    };
    using Skel = std::unique_ptr<socket_trace, SkelDestroy>;

    SocketMaps(Skel skel, Logger& log);

    Skel skel_;
    Logger& log_;
    std::vector<Link> links_;
    std::vector<std::string> pinned_;  // unpinned on destruction: pins outlive nothing
    int ncpus_ = 1;
};

}  // namespace agentmon
