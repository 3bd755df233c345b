#pragma once
// Process discovery once per tick, shared: the socket, ring and agent collectors
// all need "which tasks are agents now", and scanning /proc once per collector
// would multiply the tick's cost. DiscoveryCollector runs first in the set; the
// collectors after it read the same scan through an AgentTaskView.
#include <cstdint>
#include <map>
#include <memory>

#include "collect/collector.h"
#include "model/process_discovery.h"

namespace agentmon {

struct AgentTaskView {
    std::map<std::uint32_t, AgentTask> tasks;  // by thread id, as of this tick's scan
    std::uint64_t scans = 0;                   // scans completed, so readers see progress
    // False when the scanned proc root numbers tasks in another pid namespace than
    // the host's: then the thread ids are not the kernel's and must not reach its maps.
    bool host_pids = true;
};

class DiscoveryCollector : public Collector {
  public:
    explicit DiscoveryCollector(ProcessDiscovery discovery)
        : discovery_(std::move(discovery)), view_(std::make_shared<AgentTaskView>()) {}

    std::string_view name() const override { return "discovery"; }
    Status collect(SnapshotBuilder& out) override;

    // Valid for the collector's life; updated in place by each collect().
    std::shared_ptr<const AgentTaskView> view() const { return view_; }

  private:
    ProcessDiscovery discovery_;
    std::shared_ptr<AgentTaskView> view_;
};

}  // namespace agentmon
