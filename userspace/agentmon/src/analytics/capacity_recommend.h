#pragma once
// Scaling recommendations from a resource's measured usage: forecast it with
// Holt-Winters, compare the forecast's upper bound (p95) with a headroom of
// the capacity, and say how many units it needs and by when.
#include <optional>
#include <string>
#include <vector>

namespace agentmon::analytics {

// One resource's history in absolute units (cores, bytes, frames/s), evenly
// spaced, oldest first, and the capacity it has now.
struct ResourceHistory {
    std::string component;     // e.g. "compute_cores"
    std::string what;          // for the reason, e.g. "CPU utilization"
    double unit_capacity = 1;  // usage one unit provides (1 core, 1 GiB, 4.2e6 frames/s)
    double current_units = 1;
    std::vector<double> usage;
    double step_seconds = 300;
    std::string source;  // the query the history came from, for the report
};

struct RecommendPolicy {
    double headroom = 0.70;          // keep the forecast p95 under this share of capacity
    double scale_down_below = 0.35;  // ... and suggest fewer units when it stays under this
    double horizon_seconds = 3 * 86400.0;
    double coverage = 0.90;  // central interval; its upper bound is the p95
    // Season search: 0 detects it from the data (lags 1 h .. 2 d), else samples.
    size_t season = 0;
    bool seasonal = true;
};

enum class Priority { kHigh, kMedium, kLow, kNone };
std::string priority_name(Priority p);  // "HIGH", "MEDIUM", "LOW", "NONE"

struct Recommendation {
    Priority priority = Priority::kNone;
    std::string component;
    std::string action;  // "scale_up", "scale_down" or "none"
    long current = 0;
    long target = 0;
    std::string reason;
    std::string timeline;  // "immediate", "within 6h", "within 2d", "none"
    // The figures behind it, for --format json and the docs' evaluation.
    double utilization_now = 0;
    double forecast_p95_peak = 0;  // highest p95 over the horizon, share of current capacity
    std::optional<double> seconds_to_limit;  // when the p95 first crosses headroom
    size_t season_samples = 0;
    std::string source;
};

Recommendation recommend(const ResourceHistory& history, const RecommendPolicy& policy);

}  // namespace agentmon::analytics
