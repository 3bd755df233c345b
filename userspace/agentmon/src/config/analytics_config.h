#pragma once
// The analytics' part of the config file:
//   "analytics": true | false | {"enabled": true, "prediction_horizon": "5m",
//                                "expected_throughput_mps": 0, "cpu_cores": 0,
//                                "memory_bytes": 0, "anomaly_warmup_points": 60}
// A capacity of 0 means "the host's" (cores, MemTotal); an expected throughput
// of 0 means "not configured": the bus-throughput utilisation is then not
// exported, and the throughput alert falls back to the learned baseline.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace agentmon {

struct AnalyticsConfig {
    bool enabled = true;
    std::chrono::milliseconds prediction_horizon{std::chrono::minutes(5)};
    double expected_throughput_mps = 0;
    double cpu_cores = 0;
    double memory_bytes = 0;
    // Ticks each live anomaly detector learns before it scores (docs/analytics.md).
    std::uint32_t anomaly_warmup_points = 60;

    std::vector<std::string> validate() const;
};

void apply_analytics_config(const nlohmann::json& doc, AnalyticsConfig& config,
                            std::vector<std::string>& problems);

}  // namespace agentmon
