#pragma once
// `agentmon capacity`: forecasts each resource's usage from Prometheus'
// history and prints scaling recommendations (analytics/capacity_*.h).
#include <optional>
#include <string>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace, not ours
class App;
}

namespace agentmon {

struct CapacityOptions {
    std::string prometheus;
    std::string range = "7d";
    std::string step = "5m";
    std::string horizon = "3d";
    std::string format = "text";
    std::optional<double> end;  // unix seconds; default now
    double headroom = 0.70;
    std::optional<double> cpu_cores;   // default: this host's
    std::optional<double> memory_gib;  // default: this host's
    double bus_instances = 1;
    double bus_capacity = 4.2e6;
};

// Adds the subcommand to app; its flags fill options.
CLI::App* add_capacity_command(CLI::App& app, CapacityOptions& options);

// Exit codes: 0 done, 1 Prometheus unreachable or a bad answer, 2 bad flags.
int run_capacity(const CapacityOptions& options);

}  // namespace agentmon
