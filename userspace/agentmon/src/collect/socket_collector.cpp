#include "collect/socket_collector.h"

#include "base/procfs.h"

#include <set>

namespace agentmon {

Result<std::unique_ptr<SocketCollector>> SocketCollector::create(
    const Config& config, std::shared_ptr<TickContext> context, Logger& log,
    int shared_watched_fd) {
    const SocketConfig& sc = config.socket;
    SocketProgramOptions options;
    options.spec = sc.frame_spec.to_bpf();
    options.latency_bounds_ns = sc.latency_bounds_ns();
    options.size_bounds_bytes = sc.size_bounds_bytes();
    options.comm_prefix = kernel_comm_prefix(sc.agent_rules);
    options.pin_dir = config.pin_dir;
    options.request_type_mask = sc.request_type_mask;
    options.shared_watched_fd = shared_watched_fd;
    options.hooks = sc.hooks;
    auto maps = SocketMaps::create(options, log);
    if (!maps) return maps.error();

    const AgentRegistry& registry = context->registry;
    if (Status st = (*maps)->set_agent_types(registry.type_table(AGENT_ID_TYPE_MAX)); !st)
        return st.error();
    SocketMetrics metrics(registry, context->transport);
    const SocketHooks& hooks = (*maps)->hooks();
    log.info("socket path attached", {{"frame_spec", sc.frame_spec.name},
                                      {"kernel_comm_prefix", options.comm_prefix},
                                      {"hooks", hooks.name},
                                      {"why", hooks.why}});
    return std::unique_ptr<SocketCollector>(
        new SocketCollector(std::move(maps).value(), std::move(context), std::move(metrics),
                            sc.latency_buckets_seconds));
}

Status SocketCollector::collect(SnapshotBuilder& out) {
    const AgentTaskView& tasks = *context_->tasks;
    std::map<std::uint32_t, std::uint32_t> watched;
    // Discovery's ids are handed to the kernel only when they are host tids; else the
    // kernel's rename and fork hooks alone keep the watched set.
    if (tasks.host_pids)
        for (const auto& [tid, task] : tasks.tasks) watched[tid] = task.agent_id;
    auto kernel_watched = maps_->sync_watched(watched);
    if (!kernel_watched) return kernel_watched.error();
    if (Status st = maps_->expire_requests(request_timeout_ns_, unanswered_); !st) return st;
    auto reading = maps_->read();
    if (!reading) return reading.error();
    reading->unanswered = unanswered_;
    std::map<std::uint32_t, std::uint32_t> agent_of_process;
    std::set<std::uint32_t> processes;
    for (const auto& [tid, task] : tasks.tasks) {
        processes.insert(task.pid);
        if (tid == task.pid) agent_of_process[task.pid] = task.agent_id;
        reading->backlog_by_agent.try_emplace(task.agent_id, 0);
    }
    for (const auto& [tgid, b] : maps_->read_backlog(processes)) {
        auto agent = agent_of_process.find(tgid);
        if (agent == agent_of_process.end()) continue;
        // A negative sum is a socket closed between reads; nothing waits there.
        if (b.packets > 0) reading->backlog_by_agent[agent->second] += b.packets;
        reading->errors_by_agent[agent->second] += b.errors;
    }
    resolve_intruders(*reading);
    signals_.post(*reading, *context_->signals);
    activity_.post(*reading, *context_->signals);
    metrics_.build(*reading, out);
    out.add(Family::agentmon_watched_tasks, static_cast<double>(*kernel_watched));
    return Status::success();
}

void SocketCollector::resolve_intruders(SocketReading& reading) {
    // The offender is named by its comm while it lives, and keeps its last known
    // name after (the counts stay); a process never seen alive is "unknown".
    for (auto& e : reading.intruders) {
        std::string comm;
        if (read_small_file("/proc/" + std::to_string(e.tgid) + "/comm", comm, 64)) {
            while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\0')) comm.pop_back();
            intruder_comm_[e.tgid] = comm;
        }
        auto known = intruder_comm_.find(e.tgid);
        e.comm = known != intruder_comm_.end() ? known->second : "unknown";
    }
}

}  // namespace agentmon
