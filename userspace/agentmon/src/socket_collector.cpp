#include "socket_collector.h"

namespace agentmon {

Result<std::unique_ptr<SocketCollector>> SocketCollector::create(
    const Config& config, std::shared_ptr<const AgentTaskView> tasks, Logger& log) {
    const SocketConfig& sc = config.socket;
    SocketProgramOptions options;
    options.spec = sc.frame_spec.to_bpf();
    options.latency_bounds_ns = sc.latency_bounds_ns();
    options.size_bounds_bytes = sc.size_bounds_bytes();
    options.comm_prefix = kernel_comm_prefix(sc.agent_rules);
    options.pin_dir = config.pin_dir;
    auto maps = SocketMaps::create(options, log);
    if (!maps) return maps.error();

    AgentRegistry registry(sc.agents);
    if (Status st = (*maps)->set_agent_types(registry.type_table(AGENT_ID_TYPE_MAX)); !st)
        return st.error();
    SocketMetrics metrics(registry, {sc.latency_buckets_seconds, sc.size_buckets_bytes},
                          SeriesBudget(sc.series_budget, sc.series_budget_default));
    log.info("socket path attached",
             {{"frame_spec", sc.frame_spec.name}, {"kernel_comm_prefix", options.comm_prefix}});
    return std::unique_ptr<SocketCollector>(
        new SocketCollector(std::move(maps).value(), std::move(tasks), std::move(metrics)));
}

Status SocketCollector::collect(SnapshotBuilder& out) {
    std::map<std::uint32_t, std::uint32_t> watched;
    for (const auto& [tid, task] : tasks_->tasks) watched[tid] = task.agent_id;
    if (Status st = maps_->sync_watched(watched); !st) return st;
    auto reading = maps_->read();
    if (!reading) return reading.error();
    metrics_.build(*reading, out);
    out.gauge("agentmon_watched_tasks", "Agent tasks (threads) whose sockets are decoded.",
              static_cast<double>(watched.size()));
    return Status::success();
}

}  // namespace agentmon
