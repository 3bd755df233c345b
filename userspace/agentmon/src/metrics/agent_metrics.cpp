#include "metrics/agent_metrics.h"

#include <map>

#include "metrics/summed_family.h"

namespace agentmon {

namespace {

const char* const kEventNames[AGENT_EV_COUNT] = {"PROCS_FULL", "USAGE_FULL", "TASK_STORAGE_FAILED",
                                                 "WATCHED_FULL"};

}  // namespace

std::vector<double> runq_bounds_seconds() {
    std::vector<double> bounds;
    for (std::uint32_t slot = 0; slot + 1 < RUNQ_SLOTS; ++slot)
        bounds.push_back(static_cast<double>(runq_slot_bound_us(slot)) / 1e6);
    return bounds;
}

void AgentMetrics::build(const AgentTracker& tracker, const AgentSignalBoard& signals,
                         const AgentPathStats& stats, SnapshotBuilder& out) {
    // Per-instance families, admitted through the agent budget in label order.
    SummedValues status(Family::agent_status), exit_code(Family::agent_last_exit_code),
        exit_signal(Family::agent_last_exit_signal), restarts(Family::agent_restarts_total),
        cpu(Family::agent_cpu_seconds_total), usage(Family::agent_resource_usage),
        health(Family::agent_health_score), pid(Family::agent_process_id), info(Family::agent_info);

    std::map<std::string, double> active;
    for (std::uint32_t type = 1; type <= kAgentTypeCount; ++type)
        active[std::string(agent_type_name(type))] = 0;
    std::map<std::string, RunqHistogram> runq;

    const AgentRegistry& registry = tracker.registry();
    for (const auto& [id, inst] : tracker.instances()) {
        const std::string type(agent_type_name(inst.type));
        const LabelSet labels{{"agent_type", type}, {"agent_id", registry.instance_name(id)}};
        status.add(labels, static_cast<double>(inst.status));
        if (inst.last_exit_code) exit_code.add(labels, *inst.last_exit_code);
        if (inst.last_exit_signal) exit_signal.add(labels, *inst.last_exit_signal);
        restarts.add(labels, static_cast<double>(inst.restarts));
        pid.add(labels, inst.tgid);
        cpu.add(labels, inst.cpu_seconds);
        LabelSet with = labels;
        with["resource"] = "cpu";
        usage.add(with, inst.cpu_fraction);
        with["resource"] = "memory";
        usage.add(with, static_cast<double>(inst.resident_bytes));

        HealthInputs in;
        if (auto it = signals.by_agent.find(id); it != signals.by_agent.end()) in = it->second;
        in.alive = inst.alive();
        in.cpu_fraction = inst.cpu_fraction;
        in.runq_delay_seconds = inst.runq_delay_seconds;
        health.add(labels, health_score(in));

        with = labels;
        with["container"] = inst.container;
        with["pod"] = inst.pod;
        with["namespace"] = inst.pod_namespace;
        info.add(with, 1);
        if (inst.alive()) active[type] += 1;
        runq[type] += inst.runq;
    }
    for (const auto* family :
         {&status, &exit_code, &exit_signal, &restarts, &cpu, &usage, &health, &pid, &info})
        family->emit(out, budget_);

    auto& hist = out.family(Family::agent_runqueue_delay_seconds);
    const auto bounds = runq_bounds_seconds();
    for (const auto& [type, h] : runq)
        hist.metric.push_back(histogram_metric({{"agent_type", type}}, h.buckets,
                                               static_cast<double>(h.sum_ns) / 1e9, bounds));
    for (const auto& [type, n] : active)
        out.add(Family::system_active_agents, n, {{"agent_type", type}});

    for (std::uint32_t e = 0; e < AGENT_EV_COUNT; ++e)
        out.add(Family::agentmon_agent_state_events_total, static_cast<double>(stats.events[e]),
                {{"event", kEventNames[e]}});
    out.add(Family::agentmon_bpf_map_entries, static_cast<double>(stats.procs_entries),
            {{"map", "agent_procs"}});
    out.add(Family::agentmon_bpf_map_capacity, static_cast<double>(stats.procs_capacity),
            {{"map", "agent_procs"}});
    emit_series_dropped(budget_, agent_budgeted_families(), out);
}

}  // namespace agentmon
