#include "cli/capacity_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <thread>

#include "analytics/capacity_query_range.h"
#include "analytics/capacity_recommend.h"
#include "analytics/capacity_report.h"
#include "analytics/capacity_sources.h"
#include "cli/capacity_prometheus_client.h"
#include "cli/cli.h"

namespace agentmon {

using namespace analytics;

namespace {

double host_memory_gib() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    double kib = 0;
    while (meminfo >> key >> kib) {
        if (key == "MemTotal:") return std::max(1.0, std::round(kib / (1024 * 1024)));
        meminfo.ignore(256, '\n');
    }
    return 1;
}

double now_seconds() {
    using namespace std::chrono;
    return double(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

struct Fetched {
    std::vector<double> usage;  // absolute units; empty when no source had data
    std::string source;
};

// Tries the resource's sources in order. Fails (exit 1) on an unreachable
// Prometheus or an error answer, never on a query that matched nothing.
Result<Fetched> fetch_usage(const std::string& url, const ResourceSpec& spec,
                            const SampleGrid& grid) {
    const double end = grid.start + grid.step * double(grid.samples - 1);
    for (const auto& source : spec.sources) {
        auto body = query_range(url, {source.expr, grid.start, end, grid.step});
        if (!body) return body.error();
        auto answer = parse_query_range(*body, grid);
        if (!answer.error.empty())
            return Error{"Prometheus at " + url + " refused `" + source.expr +
                         "`: " + answer.error};
        if (answer.values.empty()) continue;
        if (source.kind == SourceKind::kRatio)
            for (double& v : answer.values) v *= spec.unit_capacity * spec.current_units;
        return Fetched{std::move(answer.values), source.expr};
    }
    return Fetched{};
}

}  // namespace

CLI::App* add_capacity_command(CLI::App& app, CapacityOptions& o) {
    CLI::App* cmd = app.add_subcommand(
        "capacity",
        "Forecast CPU, memory and bus throughput from Prometheus; print scaling advice");
    auto span = CLI::Validator(
        [](std::string& t) -> std::string {
            return parse_span_seconds(t) ? "" : "\"" + t + "\" is not a span like 90s, 5m, 2h, 7d";
        },
        "SPAN");
    cmd->add_option("--prometheus", o.prometheus, "Prometheus base URL, e.g. http://127.0.0.1:9090")
        ->required();
    cmd->add_option("--range", o.range, "History to read (default 7d)")->check(span);
    cmd->add_option("--step", o.step, "Sample spacing (default 5m)")->check(span);
    cmd->add_option("--horizon", o.horizon, "How far to forecast (default 3d)")->check(span);
    cmd->add_option("--format", o.format, "text or json (default text)")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("--end", o.end, "End of the history, unix seconds (default now)");
    cmd->add_option("--headroom", o.headroom,
                    "Keep the forecast p95 under this share of capacity (default 0.7)")
        ->check(CLI::Range(0.05, 1.0));
    cmd->add_option("--cpu-cores", o.cpu_cores, "Cores available (default: this host's)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--memory-gib", o.memory_gib, "Memory available, GiB (default: this host's)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--bus-instances", o.bus_instances, "Bus instances running (default 1)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--bus-capacity", o.bus_capacity,
                    "Frames/s one bus instance carries (default 4.2e6)")
        ->check(CLI::PositiveNumber);
    return cmd;
}

int run_capacity(const CapacityOptions& o) {
    const double step = *parse_span_seconds(o.step);
    const double range = *parse_span_seconds(o.range);
    if (range < 3 * step) {
        std::cerr << "capacity: --range must hold at least 3 steps\n";
        return kExitUsage;
    }
    SampleGrid grid;
    grid.step = step;
    grid.samples = size_t(range / step) + 1;
    // Align to the step so repeated runs read the same samples.
    const double end = std::floor(o.end.value_or(now_seconds()) / step) * step;
    grid.start = end - step * double(grid.samples - 1);

    CapacityUnits units;
    units.cpu_cores = o.cpu_cores.value_or(std::max(1u, std::thread::hardware_concurrency()));
    units.memory_gib = o.memory_gib.value_or(host_memory_gib());
    units.bus_instances = o.bus_instances;
    units.bus_frames_per_second = o.bus_capacity;
    RecommendPolicy policy;
    policy.headroom = o.headroom;
    policy.horizon_seconds = *parse_span_seconds(o.horizon);

    const std::string window = std::to_string(long(std::max(300.0, step))) + "s";
    std::vector<Recommendation> recommendations;
    for (const auto& spec : capacity_resources(units, window)) {
        auto fetched = fetch_usage(o.prometheus, spec, grid);
        if (!fetched) {
            std::cerr << "capacity: " << fetched.error().message << '\n';
            return kExitFailure;
        }
        if (fetched->usage.empty()) {
            std::cerr << "capacity: no history for " << spec.component << " (tried "
                      << spec.sources.size() << " queries); skipped\n";
            continue;
        }
        ResourceHistory history{spec.component,
                                spec.what,
                                spec.unit_capacity,
                                spec.current_units,
                                std::move(fetched->usage),
                                step,
                                fetched->source};
        recommendations.push_back(recommend(history, policy));
    }
    if (recommendations.empty()) {
        std::cerr << "capacity: Prometheus at " << o.prometheus
                  << " has no history for any resource over the last " << o.range << '\n';
        return kExitFailure;
    }
    std::cout << (o.format == "json" ? format_json(recommendations) : format_text(recommendations));
    return kExitOk;
}

}  // namespace agentmon
