#include "collect/discovery_collector.h"

#include <set>

namespace agentmon {

Status DiscoveryCollector::collect(SnapshotBuilder& out) {
    view_->tasks = discovery_.scan();
    view_->host_pids = discovery_.shows_host_pids();
    view_->scans += 1;
    std::set<std::uint32_t> processes;
    for (const auto& [tid, task] : view_->tasks) processes.insert(task.pid);
    out.add(Family::agentmon_discovered_agent_processes, static_cast<double>(processes.size()));
    return Status::success();
}

}  // namespace agentmon
