#include "collect/utilisation_families.h"

#include <unistd.h>

#include <algorithm>

namespace agentmon {

namespace {

using analytics::AgentSignal;

void add_to(std::optional<double>& sum, const std::optional<double>& v) {
    if (v) sum = sum.value_or(0) + *v;
}

double host_cores() {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<double>(n) : 1.0;
}

}  // namespace

void BusTotals::add(const AgentActivity& a, const analytics::AgentSignalValues& values) {
    if (a.frames_sent) frames = frames.value_or(0) + *a.frames_sent;
    if (a.error_frames_sent) errors = errors.value_or(0) + *a.error_frames_sent;
    if (a.latency_p99_seconds)
        latency_p99 = std::max(latency_p99.value_or(0), *a.latency_p99_seconds);
    add_to(queue_depth, values[static_cast<std::size_t>(AgentSignal::queue_depth)]);
    add_to(cpu, a.cpu_fraction);
}

double queue_severity(double queue_depth) { return std::clamp(queue_depth / 100, 0.0, 1.0); }
double cpu_severity(double cpu_fraction) {
    return std::clamp((cpu_fraction - 0.6) / 0.4, 0.0, 1.0);
}
double runqueue_severity(double delay_seconds) {
    return std::clamp((delay_seconds - 0.001) / 0.049, 0.0, 1.0);
}
double ring_severity(double fill) { return std::clamp((fill - 0.5) / 0.5, 0.0, 1.0); }
double socket_buffer_severity(double refused, double frames_sent) {
    if (refused <= 0) return 0;
    return frames_sent > 0 ? std::clamp(refused / frames_sent * 10, 0.0, 1.0) : 1.0;
}

void emit_utilisation(const AnalyticsConfig& config, const AgentRegistry& registry,
                      const AgentSignalBoard& board, const BusTotals& bus,
                      const SystemUsage& system, CarrierSends& sends_before, SnapshotBuilder& out) {
    const double cores = host_cores();
    if (auto ratio = system.cpu_ratio()) {
        out.add(Family::system_cpu_utilization_ratio, *ratio);
        const double capacity = config.cpu_cores > 0 ? config.cpu_cores : cores;
        out.add(Family::capacity_utilization_ratio, *ratio * cores / capacity,
                {{"resource", "cpu"}});
    }
    if (auto mem = system.memory()) {
        const double used = mem->total_bytes - mem->available_bytes;
        out.add(Family::system_memory_usage_bytes, used);
        const double capacity = config.memory_bytes > 0 ? config.memory_bytes : mem->total_bytes;
        if (capacity > 0)
            out.add(Family::capacity_utilization_ratio, used / capacity, {{"resource", "memory"}});
    }
    if (bus.message_rate && config.expected_throughput_mps > 0)
        out.add(Family::capacity_utilization_ratio,
                *bus.message_rate / config.expected_throughput_mps,
                {{"resource", "bus_throughput"}});

    auto& bottlenecks = out.family(Family::performance_bottlenecks);
    const auto add = [&](const std::string& component, const char* resource, double severity) {
        SnapshotBuilder::add_sample(bottlenecks, severity,
                                    {{"component", component}, {"resource", resource}});
    };
    for (const auto& [id, a] : board.activity) {
        if (!a.seen_by_agent_path || a.tgid == 0) continue;
        const std::string name = registry.instance_name(id);
        double queue = 0;
        if (auto h = board.by_agent.find(id); h != board.by_agent.end())
            queue = h->second.queue_depth.value_or(0);
        add(name, "queue", queue_severity(queue));
        add(name, "cpu", cpu_severity(a.cpu_fraction));
        add(name, "run_queue", runqueue_severity(a.runq_delay_seconds.value_or(0)));
    }
    for (const auto& [ring, fill] : board.ring_fill) add(ring, "ring", ring_severity(fill));
    for (const auto& [carrier, now] : board.sends_by_carrier) {
        const auto before = sends_before.find(carrier);
        if (before != sends_before.end() && now.first >= before->second.first &&
            now.second >= before->second.second)
            add(carrier, "socket_buffer",
                socket_buffer_severity(static_cast<double>(now.second - before->second.second),
                                       static_cast<double>(now.first - before->second.first)));
        sends_before[carrier] = now;
    }
}

}  // namespace agentmon
