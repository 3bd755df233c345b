#pragma once
// capacity_utilization_ratio, system_cpu_utilization_ratio,
// system_memory_usage_bytes and performance_bottlenecks, from the tick's signal
// board and the host's /proc. Each bottleneck severity is a measured saturation
// mapped onto 0..1 at the same points the health score penalises (docs/analytics.md).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "analytics/agent_anomaly_scores.h"
#include "analytics/health.h"
#include "collect/system_usage.h"
#include "config/analytics_config.h"
#include "metrics/snapshot.h"
#include "model/agent_registry.h"

namespace agentmon {

// The whole bus this tick, summed over agents with a live process.
struct BusTotals {
    std::optional<std::uint64_t> frames, errors;  // sent since start (socket path)
    std::optional<double> latency_p99;            // the worst type's
    std::optional<double> queue_depth, cpu;       // sums
    std::optional<double> message_rate;           // frames sent per second, set by the caller
    void add(const AgentActivity& a, const analytics::AgentSignalValues& values);
};

// 0..1 severities, each from one measured saturation.
double queue_severity(double queue_depth);       // 0 at 0, 1 at 100 frames (health's top step)
double cpu_severity(double cpu_fraction);        // 0 at <= 60 % of a core, 1 at 100 %
double runqueue_severity(double delay_seconds);  // 0 at <= 1 ms mean wait, 1 at 50 ms
double ring_severity(double fill);               // 0 at <= 50 % used, 1 full
// 0 when no send is refused, 1 at one refused send (EAGAIN) per 10 frames sent.
double socket_buffer_severity(double refused, double frames_sent);

// Per carrier, the counts of the last tick, for socket_buffer's increases.
using CarrierSends = std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>;

void emit_utilisation(const AnalyticsConfig& config, const AgentRegistry& registry,
                      const AgentSignalBoard& board, const BusTotals& bus,
                      const SystemUsage& system, CarrierSends& sends_before, SnapshotBuilder& out);

}  // namespace agentmon
