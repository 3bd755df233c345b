#include "collect/collector_set.h"

#include "collect/agent_collector.h"
#include "collect/analytics_collector.h"
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

Result<CollectorStart> create_collectors(const Config& config,
                                         const std::shared_ptr<TickContext>& context, Logger& log) {
    // Heap-allocated so the stats collector's view of the set stays valid when the
    // owner moves the pointer around.
    CollectorStart start;
    start.set = std::make_unique<CollectorSet>();
    auto& set = start.set;
    set->push_back(std::make_unique<ProcessCollector>());
    // First of the BPF-path collectors: they read its scan in the same tick.
    auto discovery = DiscoveryCollector::create(config, log);
    if (!discovery) return discovery.error();
    context->tasks = (*discovery)->view();
    set->push_back(std::move(discovery).value());
    // A kernel without what the socket path needs degrades to a collector without
    // it, saying why, instead of refusing to start.
    // Loaded first: its task rename/fork/exit hooks keep the socket path's watched
    // set too, so each task event runs one program (the socket object reuses the
    // map). Collected after the transport paths: they leave health inputs (queues,
    // unanswered requests, last send) on the context's signal board before the
    // agent collector reads it in the same tick.
    std::unique_ptr<AgentCollector> agents;
    if (config.agent_path) {
        auto created = AgentCollector::create(config, context->tasks, context->signals, log);
        if (created)
            agents = std::move(created).value();
        else
            log.error(
                "agent state path disabled: no agent_status, CPU, run-queue or health metrics",
                {{"error", created.error().message}});
    }
    if (config.socket.enabled) {
        auto socket =
            SocketCollector::create(config, context, log, agents ? agents->watched_fd() : -1);
        if (socket) {
            set->push_back(std::move(socket).value());
            ++start.kernel_attached;
        } else {
            log.error("socket path disabled", {{"error", socket.error().message}});
            start.failed.emplace_back("socket");
        }
    }
    if (config.ring.enabled) {
        auto ring = RingCollector::create(config, context, log);
        if (ring) {
            set->push_back(std::move(ring).value());
            ++start.kernel_attached;
        } else {
            log.error("ring path disabled", {{"error", ring.error().message}});
            start.failed.emplace_back("ring");
        }
    }
    if (agents) {
        set->push_back(std::move(agents));
        ++start.kernel_attached;
    } else if (config.agent_path) {
        start.failed.emplace_back("agents");
    }
    // Last of the measuring collectors: it reads what all of them posted this tick.
    if (config.analytics.enabled)
        set->push_back(std::make_unique<AnalyticsCollector>(config, context));
    const CollectorSet* view = set.get();
    set->push_back(BpfStatsCollector::create([view] { return all_programs(*view); }, log));
    return start;
}

}  // namespace agentmon
