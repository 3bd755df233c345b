#include "analytics/capacity_sources.h"

namespace agentmon::analytics {

std::vector<ResourceSpec> capacity_resources(const CapacityUnits& units,
                                             const std::string& rate_window) {
    const std::string w = "[" + rate_window + "]";
    return {
        {"compute_cores",
         "CPU utilization",
         1.0,
         units.cpu_cores,
         {{R"(max(capacity_utilization_ratio{resource="cpu"}))", SourceKind::kRatio},
          {"max(system_cpu_utilization_ratio)", SourceKind::kRatio},
          // Today: the agents' own CPU (cores) from the agent state path.
          {"sum(rate(agent_cpu_seconds_total" + w + "))", SourceKind::kAbsolute}}},
        {"memory_gib",
         "Memory utilization",
         1024.0 * 1024 * 1024,
         units.memory_gib,
         {{R"(max(capacity_utilization_ratio{resource="memory"}))", SourceKind::kRatio},
          {"sum(system_memory_usage_bytes)", SourceKind::kAbsolute},
          // Today: the agents' resident memory.
          {R"(sum(agent_resource_usage{resource="memory"}))", SourceKind::kAbsolute}}},
        {"bus_instances",
         "Bus throughput",
         units.bus_frames_per_second,
         units.bus_instances,
         {{R"(max(capacity_utilization_ratio{resource="bus"}))", SourceKind::kRatio},
          {"sum(transport:message_rate_5m)", SourceKind::kAbsolute},
          {R"(sum(rate(agent_transport_messages_total{direction="received"})" + w + "))",
           SourceKind::kAbsolute}}},
    };
}

}  // namespace agentmon::analytics
