#include "collect/socket_collector.h"

#include "abi/trace_context.h"
#include "base/procfs.h"
#include "collect/span_exemplars.h"

#include <set>

namespace agentmon {

// The config layer cannot see the kernel's ABI header: its defaults must agree.
static_assert(SocketConfig::kDefaultLabelQuota == LABEL_QUOTA);
static_assert(SocketConfig::kMaxLabelQuota == FRAMES_MAX);

SocketProgramOptions socket_program_options(const Config& config, const KernelScope& scope,
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
    options.scope = scope;
    options.frame_key_keep = frame_key_keep(sc.labels);
    options.label_quota = sc.label_quota;
    options.frames_map_entries = sc.frames_map_entries;
    options.trace_threshold = config.tracing.kernel_threshold();
    if (config.tracing.context && sc.frame_spec.name == "agen")
        options.trace_context_offset = TRACE_CONTEXT_AGEN_OFFSET;
    options.hooks = sc.hooks;
    return options;
}

Result<std::unique_ptr<SocketCollector>> SocketCollector::create(
    const Config& config, std::shared_ptr<TickContext> context, Logger& log,
    int shared_watched_fd) {
    const SocketConfig& sc = config.socket;
    const SocketProgramOptions options =
        socket_program_options(config, context->tasks->kernel_scope, shared_watched_fd);
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
    std::unique_ptr<SocketCollector> collector(
        new SocketCollector(std::move(maps).value(), std::move(context), std::move(metrics),
                            sc.latency_buckets_seconds));
    if (config.tracing.enabled()) {
        auto spans =
            SpanForwarder::create(config.tracing, *collector->maps_, collector->context_->registry);
        if (!spans) return spans.error();
        collector->spans_ = std::move(spans).value();
        // Each sampled span also becomes an exemplar of the histogram it observed
        // into, for the OpenMetrics exposition (span_exemplars.h).
        auto exemplars = std::make_shared<SpanExemplars>(collector->context_->exemplars,
                                                         collector->context_->registry);
        collector->spans_->set_on_span([exemplars](const Span& span) { exemplars->offer(span); });
        log.info("tracing on", {{"endpoint", config.tracing.endpoint},
                                {"sample_ratio", std::to_string(config.tracing.sample_ratio)},
                                {"context", options.trace_context_offset ? "agen" : "none"}});
    }
    return collector;
}

Status SocketCollector::collect(SnapshotBuilder& out) {
    const AgentTaskView& tasks = *context_->tasks;
    std::map<std::uint32_t, std::uint32_t> watched;
    // Only host tids reach the kernel; a task whose host id is not known (yet) is
    // left to the kernel's rename and fork hooks.
    for (const auto& [tid, task] : tasks.tasks)
        if (task.host_tid) watched[task.host_tid] = task.agent_id;
    auto kernel_watched = maps_->sync_watched(watched);
    if (!kernel_watched) return kernel_watched.error();
    if (Status st = maps_->expire_requests(request_timeout_ns_, unanswered_); !st) return st;
    auto reading = maps_->read();
    if (!reading) return reading.error();
    reading->unanswered = unanswered_;
    std::map<std::uint32_t, std::uint32_t> agent_of_process;
    std::set<std::uint32_t> processes;
    for (const auto& [tid, task] : tasks.tasks) {
        if (task.host_pid) processes.insert(task.host_pid);
        if (tid == task.pid && task.host_pid) agent_of_process[task.host_pid] = task.agent_id;
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
    if (spans_)
        if (Status st = spans_->tick(out); !st) return st;
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
