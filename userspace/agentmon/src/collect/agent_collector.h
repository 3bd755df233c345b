#pragma once
// The agent state path as a Collector: each tick, discovery's agent tasks (scanned
// earlier in the same tick) are marked in the kernel, the per-process maps are
// read, the tracker turns processes into agent instances (restarts, exits, CPU,
// run-queue delay), and AgentMetrics names, budgets and scores them.
#include <memory>

#include "analytics/health.h"
#include "base/log.h"
#include "collect/collector.h"
#include "collect/discovery_collector.h"
#include "config/config.h"
#include "kernel/agent_state_maps.h"
#include "kernel/agent_state_procfs.h"
#include "metrics/agent_metrics.h"
#include "model/agent_rules.h"
#include "model/agent_tracker.h"

namespace agentmon {

class AgentCollector : public Collector {
  public:
    // Loads and attaches the agent state path's BPF programs; an Error says what
    // the kernel or the privileges lack. `signals` holds what collectors earlier in
    // the tick know about agents (health inputs); it may stay empty. The collector
    // adds each instance's activity to it for the analytics collector.
    static Result<std::unique_ptr<AgentCollector>> create(
        const Config& config, std::shared_ptr<const AgentTaskView> tasks,
        std::shared_ptr<AgentSignalBoard> signals, Logger& log);

    std::string_view name() const override { return "agents"; }
    Status collect(SnapshotBuilder& out) override;
    std::vector<BpfProgramRef> programs() const override {
        return maps_ ? maps_->programs() : std::vector<BpfProgramRef>{};
    }
    // The socket path's watched set, kept by this path's task hooks; -1 when the
    // path reads /proc (the socket object then runs hooks of its own).
    int watched_fd() const { return maps_ ? maps_->watched_fd() : -1; }

  private:
    // One of `maps` (the kernel's object) and `procfs` is set.
    AgentCollector(std::unique_ptr<AgentStateMaps> maps, std::unique_ptr<AgentStateProcfs> procfs,
                   std::shared_ptr<const AgentTaskView> tasks,
                   std::shared_ptr<AgentSignalBoard> signals, std::vector<AgentRule> rules,
                   AgentTracker tracker, AgentMetrics metrics)
        : maps_(std::move(maps)),
          procfs_(std::move(procfs)),
          tasks_(std::move(tasks)),
          signals_(std::move(signals)),
          rules_(std::move(rules)),
          tracker_(std::move(tracker)),
          metrics_(std::move(metrics)) {}

    AgentTick tick_from(const AgentStateReading& reading) const;

    std::unique_ptr<AgentStateMaps> maps_;
    std::unique_ptr<AgentStateProcfs> procfs_;
    std::shared_ptr<const AgentTaskView> tasks_;
    std::shared_ptr<AgentSignalBoard> signals_;
    std::vector<AgentRule> rules_;
    AgentTracker tracker_;
    AgentMetrics metrics_;
};

}  // namespace agentmon
