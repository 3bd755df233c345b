#pragma once
// The socket path as a Collector: each tick, discovery's agent tasks (scanned by
// the DiscoveryCollector earlier in the same tick) go to the kernel's watched set, the maps are
// read, and SocketMetrics names and budgets the result.
#include <array>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "analytics/health.h"
#include "base/log.h"
#include "collect/collector.h"
#include "collect/discovery_collector.h"
#include "config/config.h"
#include "kernel/socket_maps.h"
#include "metrics/socket_metrics.h"

namespace agentmon {

class SocketCollector : public Collector {
  public:
    // Loads and attaches the socket path's BPF programs; an Error says what the
    // kernel or the privileges lack. `shared_watched_fd`: the agent state path's
    // watched set, whose task hooks then serve this path too (-1: own hooks).
    static Result<std::unique_ptr<SocketCollector>> create(
        const Config& config, std::shared_ptr<const AgentTaskView> tasks, Logger& log,
        int shared_watched_fd = -1);

    std::string_view name() const override { return "socket"; }
    Status collect(SnapshotBuilder& out) override;
    std::vector<BpfProgramRef> programs() const override { return maps_->programs(); }
    // Where this collector leaves each agent's health inputs for the agent collector.
    void set_signal_board(std::shared_ptr<AgentSignalBoard> board) { board_ = std::move(board); }

    // The transport families' series budget, shared with the ring path.
    std::shared_ptr<SeriesBudget> budget() const { return metrics_.budget(); }

  private:
    SocketCollector(std::unique_ptr<SocketMaps> maps, std::shared_ptr<const AgentTaskView> tasks,
                    SocketMetrics metrics)
        : maps_(std::move(maps)), tasks_(std::move(tasks)), metrics_(std::move(metrics)) {}

    void resolve_intruders(SocketReading& reading);
    void post_signals(const SocketReading& reading);

    std::unique_ptr<SocketMaps> maps_;
    std::uint64_t request_timeout_ns_ = 5000000000ull;
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> unanswered_{};  // since start
    std::map<std::uint32_t, std::string> intruder_comm_;        // by tgid, last seen
    std::shared_ptr<AgentSignalBoard> board_;
    AgentRegistry registry_;
    // Per agent id: frames sent at the last tick, and when that number last grew.
    std::map<std::uint32_t, std::pair<std::uint64_t, double>> sent_;
    // Per agent id: failed calls and frames sent at the last tick, for the error ratio.
    std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> errors_before_;
    // Unanswered requests by type, as of each of the last ticks (a 30 s window).
    std::deque<std::pair<double, std::array<std::uint64_t, AGENT_TYPE_SLOTS>>> unanswered_window_;
    std::shared_ptr<const AgentTaskView> tasks_;
    SocketMetrics metrics_;
};

}  // namespace agentmon
