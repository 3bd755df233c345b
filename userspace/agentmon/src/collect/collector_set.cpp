#include "collect/collector_set.h"

#include "collect/agent_collector.h"
#include "collect/discovery_collector.h"
#include "collect/ring_collector.h"
#include "collect/self_collector.h"
#include "collect/socket_collector.h"

namespace agentmon {

namespace {

std::vector<BpfProgramRef> all_programs(const CollectorSet& collectors) {
    std::vector<BpfProgramRef> programs;
    for (const auto& collector : collectors) {
        auto mine = collector->programs();
        programs.insert(programs.end(), mine.begin(), mine.end());
    }
    return programs;
}

}  // namespace

Result<std::unique_ptr<CollectorSet>> create_collectors(const Config& config, Logger& log) {
    // Heap-allocated so the stats collector's view of the set stays valid when the
    // owner moves the pointer around.
    auto set = std::make_unique<CollectorSet>();
    set->push_back(std::make_unique<ProcessCollector>());
    // First of the BPF-path collectors: they read its scan in the same tick.
    auto discovery =
        std::make_unique<DiscoveryCollector>(ProcessDiscovery(config.socket.agent_rules));
    auto tasks = discovery->view();
    set->push_back(std::move(discovery));
    // A kernel without what the socket path needs degrades to a collector without
    // it, saying why, instead of refusing to start.
    std::shared_ptr<SeriesBudget> transport_budget;
    // Health inputs the transport paths know about agents (queues, unanswered
    // requests, last send), written before the agent collector reads them in the
    // same tick.
    auto signals = std::make_shared<AgentSignalBoard>();
    // Loaded first: its task rename/fork/exit hooks keep the socket path's watched
    // set too, so each task event runs one program. Collected after the transport
    // paths, whose health inputs it reads in the same tick.
    auto agents = AgentCollector::create(config, tasks, signals, log);
    if (config.socket.enabled) {
        auto socket =
            SocketCollector::create(config, tasks, log, agents ? (*agents)->watched_fd() : -1);
        if (socket) {
            transport_budget = (*socket)->budget();
            (*socket)->set_signal_board(signals);
            set->push_back(std::move(socket).value());
        } else {
            log.error("socket path disabled", {{"error", socket.error().message}});
        }
    }
    if (config.ring.enabled) {
        auto ring = RingCollector::create(config, tasks, transport_budget, log);
        if (ring) {
            (*ring)->set_signal_board(signals);
            set->push_back(std::move(ring).value());
        } else
            log.error("ring path disabled", {{"error", ring.error().message}});
    }
    if (agents)
        set->push_back(std::move(agents).value());
    else
        log.error("agent state path disabled: no agent_status, CPU, run-queue or health metrics",
                  {{"error", agents.error().message}});
    const CollectorSet* view = set.get();
    set->push_back(BpfStatsCollector::create([view] { return all_programs(*view); }, log));
    return set;
}

}  // namespace agentmon
