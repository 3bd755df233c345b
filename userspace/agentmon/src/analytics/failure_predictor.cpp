#include "analytics/failure_predictor.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "base/enum_names.h"

namespace agentmon::analytics {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
// A slope whose t statistic is below this is scatter, not a trend (about a
// 0.1 % one-sided chance under no trend with normal noise).
constexpr double kMinSlopeT = 3.0;
// The baseline follows the series this many horizons slowly: a ramp to a crash
// over about one horizon barely moves it, a lasting benign change is learned.
constexpr double kBaselineHorizons = 5.0;

constexpr std::size_t index(FailureInput input) { return static_cast<std::size_t>(input); }

}  // namespace

std::string_view failure_input_name(FailureInput input) {
    constexpr std::string_view kNames[] = {"errors", "queue",    "latency",
                                           "memory", "runqueue", "unanswered"};
    static_assert(std::size(kNames) == index(FailureInput::count));
    return enum_name(input, kNames, "unknown");
}

double failure_threshold(FailureInput input, double baseline) {
    // Each floor is where the health score's penalty for that input is at or
    // near its maximum; the multiples keep a noisy baseline from sitting on it.
    switch (input) {
        case FailureInput::errors:
            return std::max(0.05, baseline + 0.05);
        case FailureInput::queue:
            return std::max(100.0, 4 * baseline + 20);
        case FailureInput::latency:
            return std::max(0.020, 10 * baseline);
        case FailureInput::memory:
            return std::max(2 * baseline, baseline + 32 * kMiB);
        case FailureInput::runqueue:
            return std::max(0.050, 4 * baseline);
        case FailureInput::unanswered:
            return baseline + 10;
        case FailureInput::count:
            break;
    }
    return baseline;
}

FailurePredictor::FailurePredictor(FailurePredictorConfig config)
    : config_(config), inputs_{Tracked(config.horizon_seconds / 4),
                               Tracked(config.horizon_seconds / 4),
                               Tracked(config.horizon_seconds / 4),
                               Tracked(config.horizon_seconds / 4),
                               Tracked(config.horizon_seconds / 4),
                               Tracked(config.horizon_seconds / 4)} {}

double FailurePredictor::closeness(Tracked& t, FailureInput which, double seconds, double value) {
    t.line.update(seconds, value);
    const double horizon = config_.horizon_seconds;
    if (!t.seen) {
        t.baseline = value;
        t.seen = true;
    }
    const double threshold = failure_threshold(which, t.baseline);
    double c = 0;
    const double level = t.line.level();
    const double slope = t.line.slope();
    if (level >= threshold) {
        c = 1;
    } else if (slope > 0 && t.line.slope_t_statistic() > kMinSlopeT) {
        const double time_to_threshold = (threshold - level) / slope;
        c = std::clamp(1 - time_to_threshold / horizon, 0.0, 1.0);
    }
    // The baseline learns after the comparison, so a point is judged by the past.
    const double alpha = 1 - std::exp(-1.0 / (kBaselineHorizons * horizon));
    t.baseline += alpha * (value - t.baseline);
    return c;
}

FailurePrediction FailurePredictor::update(const FailureInputs& in) {
    FailurePrediction out;
    if (!first_seconds_) first_seconds_ = in.seconds;
    out.health = health_score(in.health);

    const auto feed = [&](FailureInput which, const std::optional<double>& value) {
        if (value)
            out.closeness[index(which)] =
                closeness(inputs_[index(which)], which, in.seconds, *value);
    };
    feed(FailureInput::errors, in.error_frame_ratio ? in.error_frame_ratio : in.health.error_ratio);
    feed(FailureInput::queue, in.health.queue_depth);
    feed(FailureInput::latency, in.latency_p99_seconds);
    feed(FailureInput::memory, in.resident_bytes);
    feed(FailureInput::runqueue, in.health.runq_delay_seconds);
    feed(FailureInput::unanswered, in.health.unanswered_requests);

    if (in.seconds - *first_seconds_ < config_.grace_share * config_.horizon_seconds) return out;

    auto sorted = out.closeness;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    out.trend_evidence = (sorted[0] + sorted[1]) / 2;
    out.leading = static_cast<FailureInput>(
        std::max_element(out.closeness.begin(), out.closeness.end()) - out.closeness.begin());
    out.deficit = std::clamp((80 - out.health) / 60, 0.0, 1.0);
    const double z = config_.bias + config_.trend_weight * out.trend_evidence +
                     config_.deficit_weight * out.deficit +
                     config_.anomaly_weight * std::clamp(in.anomaly, 0.0, 1.0);
    out.probability = 1 / (1 + std::exp(-z));
    return out;
}

}  // namespace agentmon::analytics
