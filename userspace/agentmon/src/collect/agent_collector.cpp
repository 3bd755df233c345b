#include "collect/agent_collector.h"

#include <unistd.h>

#include "base/caps.h"
#include "base/clock.h"
#include "base/procfs.h"
#include "collect/activity_signals.h"

namespace agentmon {

namespace {

// The kernel's RSS counters are in pages (get_mm_rss(), as /proc/<pid>/stat).
std::uint64_t page_bytes() {
    static const auto bytes = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    return bytes;
}

}  // namespace

Result<std::unique_ptr<AgentCollector>> AgentCollector::create(
    const Config& config, std::shared_ptr<const AgentTaskView> tasks,
    std::shared_ptr<AgentSignalBoard> signals, Logger& log) {
    const SocketConfig& sc = config.socket;
    AgentStateOptions options;
    options.comm_prefix = kernel_comm_prefix(sc.agent_rules);
    options.pin_dir = config.pin_dir;
    options.scope = tasks->kernel_scope;
    // The kernel's object reads every agent thread in one iterator pass and sees
    // each exit; without it (no task storage maps before 5.11, or refused) /proc
    // gives the same counters for the processes discovery found. Not when agentmon
    // lacks the privileges to load any program: that is no kernel's limit, and
    // the path stays disabled and says so.
    std::unique_ptr<AgentStateMaps> kernel;
    std::unique_ptr<AgentStateProcfs> procfs;
    if (config.agent_path_reader != "procfs") {
        auto maps = AgentStateMaps::create(options, log);
        if (maps)
            kernel = std::move(maps).value();
        else if (config.agent_path_reader == "kernel" || !may_load_bpf())
            return maps.error();
        else
            log.warn(
                "agent state path reads /proc: the kernel's agent state object did not "
                "load (task storage maps need 5.11); CPU, run-queue delay, memory and "
                "threads come from /proc once a tick for the processes discovery finds, "
                "a thread's last interval before it exits is lost, and an exit reaped "
                "between two reads ends without its status",
                {{"error", maps.error().message}});
    }
    if (!kernel) {
        procfs = std::make_unique<AgentStateProcfs>(tasks->proc_root);
        if (!procfs->exit_events_error().empty())
            log.warn(
                "agent state path: exit statuses are not seen once a parent has reaped "
                "its agent (those exits show as exited, status unknown)",
                {{"error", procfs->exit_events_error()}});
    }
    log.info("agent state path attached", {{"kernel_comm_prefix", options.comm_prefix},
                                           {"reader", kernel ? "kernel" : "procfs"}});
    return std::unique_ptr<AgentCollector>(new AgentCollector(
        std::move(kernel), std::move(procfs), std::move(tasks), std::move(signals), sc.agent_rules,
        AgentTracker(AgentRegistry(sc.agents)),
        AgentMetrics(SeriesBudget(sc.series_budget, sc.series_budget_default))));
}

AgentTick AgentCollector::tick_from(const AgentStateReading& reading) const {
    AgentTick tick;
    tick.seconds = monotonic_seconds();
    // Discovery's identity of each process: its main thread's, else any thread's.
    // Keyed like the kernel's readings, by host tgid.
    for (const auto& [tid, task] : tasks_->tasks) {
        if (!task.host_pid || (tick.identities.count(task.host_pid) && tid != task.pid)) continue;
        tick.identities[task.host_pid] = ProcIdentity{task.agent_type, task.agent_id,
                                                      task.container, task.pod, task.pod_namespace};
    }
    for (const auto& r : reading.procs) {
        ProcSample s;
        s.tgid = r.tgid;
        s.start_ns = r.proc.start_ns;
        s.exited = r.proc.flags & AGENT_PROC_EXITED;
        s.exit_code = r.proc.exit_code;
        s.cpu_ns = r.usage.cpu_ns;
        s.runq.sum_ns = r.usage.runq_sum_ns;
        std::copy(std::begin(r.usage.runq), std::end(r.usage.runq), s.runq.buckets.begin());
        tick.procs.push_back(s);
        // A process discovery has not seen (it ended, or appeared since the scan):
        // the kernel kept the name it took, and the comm-only rules identify it.
        if (!tick.identities.count(r.tgid)) {
            std::string comm(r.proc.comm, strnlen(r.proc.comm, sizeof(r.proc.comm)));
            if (auto match = match_comm_only(rules_, comm))
                tick.identities[r.tgid] =
                    ProcIdentity{match->agent_type, match->agent_id, {}, {}, {}};
        }
        // Sampled by this tick's iterator run (not yet: marked after it ran).
        if (!s.exited && r.proc.sampled)
            tick.resident_bytes[r.tgid] = r.proc.rss_pages * page_bytes();
    }
    return tick;
}

Status AgentCollector::collect(SnapshotBuilder& out) {
    AgentStateReading reading;
    if (maps_) {
        maps_->mark(tasks_->tasks);
        auto read = maps_->read();
        if (!read) return read.error();
        reading = std::move(read).value();
    } else {
        procfs_->mark(tasks_->tasks);
        reading = procfs_->read();
    }
    const auto ended = tracker_.update(tick_from(reading));
    if (maps_)
        maps_->forget(ended);
    else
        procfs_->forget(ended);
    AgentPathStats stats{reading.events, reading.procs.size(), reading.procs_capacity};
    metrics_.build(tracker_, *signals_, stats, out);
    post_agent_activity(tracker_, *signals_);
    return Status::success();
}

}  // namespace agentmon
