#include "config/analytics_config.h"

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/json_fields.h"

namespace agentmon {

std::vector<std::string> AnalyticsConfig::validate() const {
    std::vector<std::string> problems;
    if (prediction_horizon < std::chrono::seconds(10) ||
        prediction_horizon > std::chrono::hours(24))
        problems.push_back("analytics.prediction_horizon: " + format_duration(prediction_horizon) +
                           " is out of range; use 10s to 24h (e.g. \"5m\")");
    return problems;
}

namespace {

// A number >= 0 into `out`, else a problem naming the field.
void non_negative(const nlohmann::json& field, const std::string& name, double& out,
                  std::vector<std::string>& problems) {
    if (field.is_number() && field.get<double>() >= 0)
        out = field.get<double>();
    else
        problems.push_back(name + ": expected a number >= 0, got " + field.dump());
}

}  // namespace

void apply_analytics_config(const nlohmann::json& doc, AnalyticsConfig& config,
                            std::vector<std::string>& problems) {
    const auto read_field = [&](const std::string& key, const nlohmann::json& field,
                                const std::string& name) {
        if (key == "enabled") {
            read_bool(field, name, config.enabled, problems);
        } else if (key == "prediction_horizon") {
            auto d = field.is_string() ? parse_duration(field.get<std::string>()) : std::nullopt;
            if (d)
                config.prediction_horizon = *d;
            else
                problems.push_back(name + ": expected a duration such as \"5m\", got " +
                                   field.dump());
        } else if (key == "expected_throughput_mps") {
            non_negative(field, name, config.expected_throughput_mps, problems);
        } else if (key == "cpu_cores") {
            non_negative(field, name, config.cpu_cores, problems);
        } else if (key == "memory_bytes") {
            non_negative(field, name, config.memory_bytes, problems);
        } else if (key == "anomaly_warmup_points") {
            if (field.is_number_unsigned() && field.get<std::uint64_t>() <= 100000)
                config.anomaly_warmup_points = field.get<std::uint32_t>();
            else
                problems.push_back(name + ": expected an integer 0..100000, got " + field.dump());
        } else {
            problems.push_back(name +
                               ": unknown key (expected enabled, prediction_horizon, "
                               "expected_throughput_mps, cpu_cores, memory_bytes, "
                               "anomaly_warmup_points)");
        }
    };
    read_section(doc, "analytics", config.enabled, problems, read_field);
}

}  // namespace agentmon
