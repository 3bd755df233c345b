#include "metrics/agent_metrics.h"

#include <limits>
#include <map>

namespace agentmon {

namespace {

using prometheus::MetricType;

// Per-instance samples of one family, admitted through the budget in label order
// (so which sets a full budget keeps does not depend on map order); samples
// folded into the overflow series add up.
class InstanceFamily {
  public:
    InstanceFamily(std::string name, std::string help, MetricType type)
        : name_(std::move(name)), help_(std::move(help)), type_(type) {}

    void add(const LabelSet& labels, double value) { values_[labels] += value; }

    void emit(SnapshotBuilder& out, SeriesBudget& budget) const {
        std::map<LabelSet, double> admitted;
        for (const auto& [labels, value] : values_) admitted[budget.admit(name_, labels)] += value;
        auto& family = out.family(name_, help_, type_);
        for (const auto& [labels, value] : admitted)
            SnapshotBuilder::add_sample(family, value, labels);
    }

  private:
    std::string name_, help_;
    MetricType type_;
    std::map<LabelSet, double> values_;
};

const char* const kEventNames[AGENT_EV_COUNT] = {"PROCS_FULL", "USAGE_FULL", "TASK_STORAGE_FAILED",
                                                 "WATCHED_FULL"};

prometheus::ClientMetric runq_histogram(const std::string& type, const RunqHistogram& h,
                                        const std::vector<double>& bounds) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"agent_type", type});
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += h.buckets[i];
        metric.histogram.bucket.push_back({cumulative, bounds[i]});
    }
    metric.histogram.sample_count = h.count();
    metric.histogram.bucket.push_back(
        {metric.histogram.sample_count, std::numeric_limits<double>::infinity()});
    metric.histogram.sample_sum = static_cast<double>(h.sum_ns) / 1e9;
    return metric;
}

}  // namespace

const std::vector<std::string>& agent_budgeted_families() {
    static const std::vector<std::string> families = {"agent_status",
                                                      "agent_last_exit_code",
                                                      "agent_last_exit_signal",
                                                      "agent_restarts_total",
                                                      "agent_cpu_seconds_total",
                                                      "agent_resource_usage",
                                                      "agent_health_score",
                                                      "agent_info"};
    return families;
}

std::vector<double> runq_bounds_seconds() {
    std::vector<double> bounds;
    for (std::uint32_t slot = 0; slot + 1 < RUNQ_SLOTS; ++slot)
        bounds.push_back(static_cast<double>(runq_slot_bound_us(slot)) / 1e6);
    return bounds;
}

void AgentMetrics::build(const AgentTracker& tracker, const AgentSignalBoard& signals,
                         const AgentPathStats& stats, SnapshotBuilder& out) {
    InstanceFamily status("agent_status",
                          "Agent state: 1 running (on a CPU since the last tick), 2 idle, "
                          "3 exited (status 0), 4 failed (killed by a signal or non-zero status).",
                          MetricType::Gauge);
    InstanceFamily exit_code("agent_last_exit_code",
                             "Exit status of the agent's last process that ended; 128 + signal "
                             "when a signal killed it.",
                             MetricType::Gauge);
    InstanceFamily exit_signal("agent_last_exit_signal",
                               "Signal that killed the agent's last process that ended; 0 for a "
                               "normal exit.",
                               MetricType::Gauge);
    InstanceFamily restarts("agent_restarts_total",
                            "New processes of the agent after its previous process ended.",
                            MetricType::Counter);
    InstanceFamily cpu("agent_cpu_seconds_total",
                       "On-CPU time of the agent's processes, from the scheduler's account.",
                       MetricType::Counter);
    InstanceFamily usage("agent_resource_usage",
                         "cpu: fraction of one core over the last tick; memory: resident bytes.",
                         MetricType::Gauge);
    InstanceFamily health("agent_health_score",
                          "0..100 from error rate, queue depth, run-queue delay, CPU saturation, "
                          "unanswered requests and silence (docs/metrics.md).",
                          MetricType::Gauge);
    InstanceFamily pid("agent_process_id",
                       "Process id of the agent's live process; 0 when it has none.",
                       MetricType::Gauge);
    InstanceFamily info("agent_info",
                        "Always 1: the agent instance and the container and pod it runs in "
                        "(empty outside them).",
                        MetricType::Gauge);

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
        info.add(with, 1);
        if (inst.alive()) active[type] += 1;
        runq[type] += inst.runq;
    }
    for (const auto* family :
         {&status, &exit_code, &exit_signal, &restarts, &cpu, &usage, &health, &pid, &info})
        family->emit(out, budget_);

    auto& hist = out.family("agent_runqueue_delay_seconds",
                            "Time agent threads waited runnable for a CPU (CPU starvation).",
                            MetricType::Histogram);
    const auto bounds = runq_bounds_seconds();
    for (const auto& [type, h] : runq) hist.metric.push_back(runq_histogram(type, h, bounds));
    for (const auto& [type, n] : active)
        out.gauge("system_active_agents", "Agent instances with a live process, by type.", n,
                  {{"agent_type", type}});

    for (std::uint32_t e = 0; e < AGENT_EV_COUNT; ++e)
        out.counter("agentmon_agent_state_events_total",
                    "Events of the agent state path: full maps, tasks that could not be marked.",
                    static_cast<double>(stats.events[e]), {{"event", kEventNames[e]}});
    out.gauge("agentmon_bpf_map_entries", "Keys in use in a BPF hash map.",
              static_cast<double>(stats.procs_entries), {{"map", "agent_procs"}});
    out.gauge("agentmon_bpf_map_capacity", "max_entries of a BPF hash map.",
              static_cast<double>(stats.procs_capacity), {{"map", "agent_procs"}});
    emit_series_dropped(budget_, agent_budgeted_families(), out);
}

}  // namespace agentmon
