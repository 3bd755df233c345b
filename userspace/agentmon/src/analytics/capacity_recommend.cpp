#include "analytics/capacity_recommend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "base/enum_names.h"

#include "analytics/forecast_holt_winters.h"
#include "analytics/forecast_stats.h"

namespace agentmon::analytics {

std::string priority_name(Priority p) {
    constexpr std::string_view kNames[] = {"HIGH", "MEDIUM", "LOW", "NONE"};
    static_assert(std::size(kNames) == static_cast<std::size_t>(Priority::kNone) + 1);
    return std::string(enum_name(p, kNames, "NONE"));
}

namespace {

std::string percent(double ratio) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", ratio * 100);
    return buf;
}

// "within 5h" up to two days, then "within 3d": the granularity an operator
// plans in. Rounded up, so "within" holds.
std::string within(double seconds) {
    if (seconds <= 0) return "immediate";
    if (seconds < 48 * 3600.0)
        return "within " + std::to_string(long(std::ceil(seconds / 3600))) + "h";
    return "within " + std::to_string(long(std::ceil(seconds / 86400))) + "d";
}

size_t season_for(const ResourceHistory& h, const RecommendPolicy& p) {
    if (!p.seasonal) return 0;
    if (p.season) return p.season;
    auto min_lag = size_t(std::max(2.0, 3600 / h.step_seconds));
    auto max_lag = size_t(2 * 86400 / h.step_seconds);
    size_t lag = detect_season_length(h.usage, min_lag, max_lag);
    // Noise moves an autocorrelation peak by a sample or two, and a season one
    // sample short drifts a day's phase by a week. Machine load follows the
    // clock, so a peak within 3 % of an hour or a day is taken as exactly that.
    for (double calendar : {3600.0, 86400.0}) {
        double samples = calendar / h.step_seconds;
        if (lag && std::fabs(double(lag) - samples) <= 0.03 * samples) return size_t(samples);
    }
    return lag;
}

}  // namespace

Recommendation recommend(const ResourceHistory& history, const RecommendPolicy& policy) {
    Recommendation r;
    r.component = history.component;
    r.source = history.source;
    r.current = long(std::lround(history.current_units));
    r.target = r.current;
    r.action = "none";
    r.timeline = "none";
    const double capacity = history.unit_capacity * history.current_units;
    if (history.usage.empty() || capacity <= 0) {
        r.reason = "no history";
        return r;
    }
    r.season_samples = season_for(history, policy);
    auto model = fit_holt_winters(history.usage, {.period = r.season_samples});
    r.season_samples = model.period;
    auto horizon = size_t(std::max(1.0, std::ceil(policy.horizon_seconds / history.step_seconds)));
    auto points = forecast(model, horizon, policy.coverage);

    r.utilization_now = history.usage.back() / capacity;
    double peak = history.usage.back();
    const double limit = policy.headroom * capacity;
    if (history.usage.back() > limit) r.seconds_to_limit = 0;
    for (size_t h = 0; h < points.size(); ++h) {
        peak = std::max(peak, points[h].upper);
        if (!r.seconds_to_limit && points[h].upper > limit)
            r.seconds_to_limit = double(h + 1) * history.step_seconds;
    }
    r.forecast_p95_peak = peak / capacity;
    // Units that keep the peak under the headroom; never below one.
    long needed = std::max(1L, long(std::ceil(peak / (policy.headroom * history.unit_capacity))));
    std::string now = history.what + " at " + percent(r.utilization_now);

    if (r.seconds_to_limit) {
        r.action = "scale_up";
        r.target = std::max(needed, r.current + 1);
        r.timeline = within(*r.seconds_to_limit);
        double hours = *r.seconds_to_limit / 3600;
        r.priority = hours < 6 ? Priority::kHigh : hours < 48 ? Priority::kMedium : Priority::kLow;
        r.reason = *r.seconds_to_limit == 0 ? now
                                            : now + ", forecast p95 reaches " +
                                                  percent(policy.headroom) + " " + r.timeline;
    } else if (r.forecast_p95_peak < policy.scale_down_below && needed < r.current) {
        r.action = "scale_down";
        r.target = needed;
        r.priority = Priority::kLow;
        r.timeline = "next maintenance window";
        r.reason = now + ", forecast p95 peaks at " + percent(r.forecast_p95_peak);
    } else {
        r.reason = now + ", forecast p95 peaks at " + percent(r.forecast_p95_peak);
    }
    return r;
}

}  // namespace agentmon::analytics
