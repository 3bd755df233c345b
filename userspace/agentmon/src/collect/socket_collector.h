#pragma once
// The socket path as a Collector: each tick, discovery's agent tasks (scanned by
// the DiscoveryCollector earlier in the same tick) go to the kernel's watched set,
// the maps are read, and SocketMetrics names the result and writes its transport
// samples into the tick context's sink.
#include <array>
#include <map>
#include <memory>
#include <string>

#include "analytics/health.h"
#include "base/log.h"
#include "collect/activity_signals.h"
#include "collect/collector.h"
#include "collect/discovery_collector.h"
#include "collect/socket_signals.h"
#include "collect/span_forwarder.h"
#include "collect/tick_context.h"
#include "config/config.h"
#include "kernel/socket_maps.h"
#include "metrics/socket_metrics.h"

namespace agentmon {

// The socket path's program options as `agentmon run` derives them from `config`.
SocketProgramOptions socket_program_options(const Config& config, const KernelScope& scope,
                                            int shared_watched_fd);

class SocketCollector : public Collector {
  public:
    // Loads and attaches the socket path's BPF programs; an Error says what the
    // kernel or the privileges lack. `shared_watched_fd`: the agent state path's
    // watched set, whose task hooks then serve this path too (-1: own hooks).
    static Result<std::unique_ptr<SocketCollector>> create(const Config& config,
                                                           std::shared_ptr<TickContext> context,
                                                           Logger& log, int shared_watched_fd = -1);

    std::string_view name() const override { return "socket"; }
    Status collect(SnapshotBuilder& out) override;
    std::vector<BpfProgramRef> programs() const override { return maps_->programs(); }
    // The span path (docs/tracing.md), null while tracing is off.
    SpanForwarder* spans() { return spans_.get(); }

  private:
    SocketCollector(std::unique_ptr<SocketMaps> maps, std::shared_ptr<TickContext> context,
                    SocketMetrics metrics, std::vector<double> latency_bounds_seconds)
        : maps_(std::move(maps)),
          context_(std::move(context)),
          signals_(*context_),
          activity_(context_->registry, std::move(latency_bounds_seconds)),
          metrics_(std::move(metrics)) {}

    void resolve_intruders(SocketReading& reading);

    std::unique_ptr<SpanForwarder> spans_;

    std::unique_ptr<SocketMaps> maps_;
    std::uint64_t request_timeout_ns_ = 5000000000ull;
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> unanswered_{};  // since start
    std::map<std::uint32_t, std::string> intruder_comm_;        // by tgid, last seen
    std::shared_ptr<TickContext> context_;  // tasks, registry, budget, signal board
    SocketSignals signals_;
    ActivitySignals activity_;  // frames, ERROR frames, p99 for the analytics
    SocketMetrics metrics_;
};

}  // namespace agentmon
