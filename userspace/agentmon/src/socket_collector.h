#pragma once
// The socket path as a Collector: each tick, discovery's agent tasks go to the
// kernel's watched set, the maps are read, and SocketMetrics names and budgets
// the result.
#include <memory>

#include "collector.h"
#include "config.h"
#include "log.h"
#include "process_discovery.h"
#include "socket_maps.h"
#include "socket_metrics.h"

namespace agentmon {

class SocketCollector : public Collector {
  public:
    // Loads and attaches the socket path's BPF programs; an Error says what the
    // kernel or the privileges lack.
    static Result<std::unique_ptr<SocketCollector>> create(const Config& config, Logger& log);

    std::string_view name() const override { return "socket"; }
    Status collect(SnapshotBuilder& out) override;
    std::vector<BpfProgramRef> programs() const override { return maps_->programs(); }

  private:
    SocketCollector(std::unique_ptr<SocketMaps> maps, ProcessDiscovery discovery,
                    SocketMetrics metrics)
        : maps_(std::move(maps)), discovery_(std::move(discovery)), metrics_(std::move(metrics)) {}

    std::unique_ptr<SocketMaps> maps_;
    ProcessDiscovery discovery_;
    SocketMetrics metrics_;
};

}  // namespace agentmon
