#pragma once
// What the capacity command forecasts and where each resource's history comes
// from: an ordered list of PromQL expressions per resource, the capacity
// gauges first (once agentmon exports them) and expressions over the series
// it exports today after them. The first that returns data is used.
#include <string>
#include <vector>

namespace agentmon::analytics {

enum class SourceKind {
    kRatio,     // share of the resource's capacity, 0..1
    kAbsolute,  // the resource's own unit (cores, bytes, frames/s)
};

struct SourceQuery {
    std::string expr;
    SourceKind kind;
};

struct ResourceSpec {
    std::string component;
    std::string what;
    double unit_capacity;
    double current_units;
    std::vector<SourceQuery> sources;
};

struct CapacityUnits {
    double cpu_cores = 1;
    double memory_gib = 1;
    double bus_instances = 1;
    double bus_frames_per_second = 4.2e6;  // the bus's design capacity per instance
};

// rate_window is the range of the rate() calls, e.g. "5m" (at least the step).
std::vector<ResourceSpec> capacity_resources(const CapacityUnits& units,
                                             const std::string& rate_window);

}  // namespace agentmon::analytics
