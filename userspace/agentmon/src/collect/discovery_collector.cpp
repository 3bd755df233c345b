#include "collect/discovery_collector.h"

#include <set>

namespace agentmon {

Result<std::unique_ptr<DiscoveryCollector>> DiscoveryCollector::create(const Config& config,
                                                                       Logger& log) {
    TaskNumbering numbering = choose_task_numbering(config.host_proc, log);
    auto scope = resolve_scope(config.scope, numbering);
    if (!scope) return scope.error();
    std::unique_ptr<DiscoveryCollector> d(new DiscoveryCollector(
        ProcessDiscovery(config.socket.agent_rules, numbering.proc_root), &log));
    d->view_->kernel_scope = scope->kernel;
    if (numbering.mode != TaskNumbering::Mode::host) {
        auto translator = PidTranslator::create(numbering.own_pidns, log);
        if (translator)
            d->translator_ = std::move(translator).value();
        else
            log.warn(numbering.mode == TaskNumbering::Mode::own_namespace
                         ? "pid translator not loaded: agents already running in this pid "
                           "namespace are counted only from their next rename or fork"
                         : "pid translator not loaded: agent threads are marked by the "
                           "kernel only",
                     {{"error", translator.error().message}});
    }
    log.info("discovery", {{"proc_root", numbering.proc_root},
                           {"pid_numbering", to_string(numbering.mode)},
                           {"scope", to_string(config.scope)},
                           {"scope_cgroup", scope->cgroup_path}});
    d->numbering_ = std::move(numbering);
    d->scope_ = std::move(scope).value();
    return d;
}

void DiscoveryCollector::translate(std::map<std::uint32_t, AgentTask>& tasks) {
    const bool to_host = numbering_.mode == TaskNumbering::Mode::own_namespace;
    // Until translated a task has no id on the other side: it is not handed to
    // the kernel (own_namespace) or not marked through a pidfd (host_proc).
    for (auto& [tid, task] : tasks) {
        if (to_host)
            task.host_tid = task.host_pid = 0;
        else
            task.own_tid = task.own_pid = 0;
    }
    if (!translator_) return;
    auto pairs = translator_->read();
    if (!pairs) {
        if (!translate_failed_ && log_)
            log_->warn("pid translation failed", {{"error", pairs.error().message}});
        translate_failed_ = true;
        return;
    }
    translate_failed_ = false;
    for (const PidPair& p : *pairs) {
        auto it = tasks.find(to_host ? p.ns_tid : p.host_tid);
        if (it == tasks.end()) continue;
        AgentTask& task = it->second;
        // A thread group that does not match is a reused id seen mid-change.
        if (task.pid != (to_host ? p.ns_tgid : p.host_tgid)) continue;
        task.host_tid = p.host_tid;
        task.host_pid = p.host_tgid;
        task.own_tid = p.ns_tid;
        task.own_pid = p.ns_tgid;
    }
}

Status DiscoveryCollector::collect(SnapshotBuilder& out) {
    auto tasks = discovery_.scan();
    if (numbering_.mode != TaskNumbering::Mode::host) translate(tasks);
    std::erase_if(tasks, [&](const auto& entry) { return !in_scope(scope_, entry.second); });
    view_->tasks = std::move(tasks);
    view_->scans += 1;
    std::set<std::uint32_t> processes;
    for (const auto& [tid, task] : view_->tasks) processes.insert(task.pid);
    out.add(Family::agentmon_discovered_agent_processes, static_cast<double>(processes.size()));
    return Status::success();
}

std::vector<BpfProgramRef> DiscoveryCollector::programs() const {
    return translator_ ? translator_->programs() : std::vector<BpfProgramRef>{};
}

}  // namespace agentmon
