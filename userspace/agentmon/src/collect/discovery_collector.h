#pragma once
// Process discovery once per tick, shared: the socket, ring and agent collectors
// all need "which tasks are agents now", and scanning /proc once per collector
// would multiply the tick's cost. DiscoveryCollector runs first in the set; the
// collectors after it read the same scan through an AgentTaskView.
//
// Each task carries the ids of the scanned proc root (for every /proc read) and
// the host ids (for the kernel's maps only); collect/task_numbering.h says where
// each comes from.
#include <cstdint>
#include <map>
#include <memory>

#include "base/log.h"
#include "collect/collector.h"
#include "collect/task_numbering.h"
#include "config/config.h"
#include "kernel/pid_translator.h"
#include "model/process_discovery.h"

namespace agentmon {

struct AgentTaskView {
    std::map<std::uint32_t, AgentTask> tasks;  // by thread id of proc_root, as of this scan
    std::uint64_t scans = 0;                   // scans completed, so readers see progress
    std::string proc_root = "/proc";           // the root discovery scans
    KernelScope kernel_scope;                  // the scope, for the kernel's rename hooks
};

class DiscoveryCollector : public Collector {
  public:
    // Chooses the numbering (and loads the pid translator when it needs one) and
    // resolves the config's scope; an unresolvable scope is an error.
    static Result<std::unique_ptr<DiscoveryCollector>> create(const Config& config, Logger& log);
    // For tests: the given discovery, host numbering, the whole node.
    explicit DiscoveryCollector(ProcessDiscovery discovery, Logger* log = nullptr)
        : discovery_(std::move(discovery)), log_(log), view_(std::make_shared<AgentTaskView>()) {
        view_->proc_root = discovery_.proc_root();
    }

    std::string_view name() const override { return "discovery"; }
    Status collect(SnapshotBuilder& out) override;
    std::vector<BpfProgramRef> programs() const override;

    // Valid for the collector's life; updated in place by each collect().
    std::shared_ptr<const AgentTaskView> view() const { return view_; }

  private:
    void translate(std::map<std::uint32_t, AgentTask>& tasks);

    ProcessDiscovery discovery_;
    Logger* log_;
    std::shared_ptr<AgentTaskView> view_;
    TaskNumbering numbering_;
    ResolvedScope scope_;
    std::unique_ptr<PidTranslator> translator_;
    bool translate_failed_ = false;
};

}  // namespace agentmon
