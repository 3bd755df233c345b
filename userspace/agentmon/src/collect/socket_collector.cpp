#include "collect/socket_collector.h"

#include "base/procfs.h"

#include <set>

namespace agentmon {

Result<std::unique_ptr<SocketCollector>> SocketCollector::create(
    const Config& config, std::shared_ptr<const AgentTaskView> tasks, Logger& log,
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
    if (Status st = maps_->expire_requests(request_timeout_ns_, unanswered_); !st) return st;
    auto reading = maps_->read();
    if (!reading) return reading.error();
    reading->unanswered = unanswered_;
    std::map<std::uint32_t, std::uint32_t> agent_of_process;
    std::set<std::uint32_t> processes;
    for (const auto& [tid, task] : tasks_->tasks) {
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
    if (board_) post_signals(*reading);
    metrics_.build(*reading, out);
    out.gauge("agentmon_watched_tasks", "Agent tasks (threads) whose sockets are decoded.",
              static_cast<double>(watched.size()));
    return Status::success();
}

void SocketCollector::post_signals(const SocketReading& reading) {
    const double now = reading.monotonic_seconds;
    // Unanswered requests over the last 30 s, by the responder's type.
    unanswered_window_.emplace_back(now, reading.unanswered);
    while (unanswered_window_.size() > 1 && unanswered_window_.front().first < now - 30)
        unanswered_window_.pop_front();
    const auto& oldest = unanswered_window_.front().second;
    std::map<std::uint32_t, std::uint64_t> sent_now;
    for (const auto& e : reading.frames)
        if (e.key.direction == DIR_SENT) sent_now[e.key.source] += e.counts.frames;
    for (const auto& [id, frames] : sent_now) {
        auto [it, added] = sent_.try_emplace(id, frames, now);
        if (!added && frames != it->second.first) it->second = {frames, now};
    }
    // Error ratio over the last tick: failed calls over frames sent plus failures.
    std::map<std::uint32_t, double> error_ratio;
    for (const auto& [agent, errors] : reading.errors_by_agent) {
        auto& [errors_before, sent_before] = errors_before_[agent];
        const std::uint64_t sent = sent_now.count(agent) ? sent_now.at(agent) : 0;
        const double failed = errors >= errors_before ? double(errors - errors_before) : 0;
        const double attempted = failed + (sent >= sent_before ? double(sent - sent_before) : 0);
        if (attempted > 0) error_ratio[agent] = failed / attempted;
        errors_before = errors;
        sent_before = sent;
    }
    board_->begin_tick(tasks_->scans);
    for (const auto& [agent, packets] : reading.backlog_by_agent) {
        HealthInputs& in = board_->by_agent[agent];
        in.queue_depth =
            in.queue_depth.value_or(0) + static_cast<double>(std::max<std::int64_t>(packets, 0));
        const std::uint32_t type = registry_.type_of(agent);
        if (type < AGENT_TYPE_SLOTS)
            in.unanswered_requests = static_cast<double>(reading.unanswered[type] - oldest[type]);
        if (auto sent = sent_.find(agent); sent != sent_.end())
            in.seconds_since_sent = now - sent->second.second;
        if (auto ratio = error_ratio.find(agent); ratio != error_ratio.end())
            in.error_ratio = ratio->second;
    }
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
