#include "analytics/level_predictors.h"

#include <algorithm>
#include <cmath>

namespace agentmon::analytics {

namespace {

// Learning rates in points. The slow level is the long-run mean of a
// stationary series; the fast level tracks a wandering one within a few points.
constexpr double kSlowRate = 0.01;
constexpr double kFastRate = 0.3;
constexpr double kProfileRate = 0.25;  // per visit of a bin: ~4 periods of memory
constexpr double kOffsetRate = 0.05;
constexpr double kChoiceRate = 0.01;
constexpr double kScaleRate = 0.02;
// A predictor speaks only after this many scored points, so a profile that just
// became able to predict does not win on a lucky streak.
constexpr std::size_t kMinScored = 20;
// Updates are clipped at this many typical errors, so one spike does not drag
// the levels and profiles after it (the detector would then see the spike's
// echo as a second anomaly).
constexpr double kClip = 4.0;

double clip_towards(double target, double current, double limit) {
    return std::clamp(target, current - limit, current + limit);
}

}  // namespace

template <std::size_t Bins>
std::size_t SeasonalProfile<Bins>::bin_of(double timestamp) const {
    double phase = std::fmod(timestamp, period_seconds);
    if (phase < 0) phase += period_seconds;
    return std::min(Bins - 1, static_cast<std::size_t>(phase / bin_seconds));
}

template <std::size_t Bins>
bool SeasonalProfile<Bins>::predict(double timestamp, double& prediction) const {
    if (first_timestamp < 0 || timestamp - first_timestamp < period_seconds) return false;
    std::size_t bin = bin_of(timestamp);
    if (visits[bin] == 0) return false;
    prediction = value[bin] + offset;
    return true;
}

template <std::size_t Bins>
void SeasonalProfile<Bins>::learn(double timestamp, double v) {
    if (first_timestamp < 0) first_timestamp = timestamp;
    std::size_t bin = bin_of(timestamp);
    double deseasoned = v - offset;
    if (visits[bin] == 0) {
        value[bin] = deseasoned;
    } else {
        // The offset takes the part of the error shared by all bins (a level
        // shift); the bin keeps the part that is its own (the shape).
        double error = deseasoned - value[bin];
        offset += kOffsetRate * error;
        value[bin] += kProfileRate * (error - kOffsetRate * error);
    }
    ++visits[bin];
}

bool LevelPredictors::predict(std::size_t which, double timestamp, double& prediction) const {
    switch (which) {
        case 0:
            prediction = slow_level_;
            return true;
        case 1:
            prediction = fast_level_;
            return true;
        case 2:
            return daily_.predict(timestamp, prediction);
        default:
            return weekly_.predict(timestamp, prediction);
    }
}

double LevelPredictors::update(double timestamp, double value) {
    if (seen_ == 0) {
        slow_level_ = fast_level_ = value;
        daily_.learn(timestamp, value);
        weekly_.learn(timestamp, value);
        ++seen_;
        return 0.0;
    }

    // Score with the predictor chosen before this point arrived (causal).
    std::array<double, kPredictors> prediction{};
    std::array<bool, kPredictors> available{};
    for (std::size_t i = 0; i < kPredictors; ++i)
        available[i] = predict(i, timestamp, prediction[i]);
    double error = std::abs(value - prediction[best_]);
    // The scale floor keeps a flat series from dividing by zero while still
    // calling its first change large.
    double floor = 1e-9 * (std::abs(slow_level_) + 1.0);
    double scale = std::max(scale_error_[best_], floor);
    double raw = scored_[best_] == 0 ? 0.0 : std::log1p(error / scale);

    for (std::size_t i = 0; i < kPredictors; ++i) {
        if (!available[i]) continue;
        double e = std::abs(value - prediction[i]);
        double limit = kClip * std::max(scale_error_[i], floor);
        double clipped = scored_[i] < kMinScored ? e : std::min(e, limit);
        double rate = scored_[i] < kMinScored ? 1.0 / static_cast<double>(scored_[i] + 1) : 0.0;
        choice_error_[i] += std::max(rate, kChoiceRate) * (clipped - choice_error_[i]);
        scale_error_[i] += std::max(rate, kScaleRate) * (clipped - scale_error_[i]);
        ++scored_[i];
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < kPredictors; ++i) {
        if (available[i] && scored_[i] >= kMinScored && choice_error_[i] < choice_error_[best])
            best = i;
    }
    best_ = best;

    double limit = kClip * std::max(scale_error_[1], floor);
    fast_level_ += kFastRate * (clip_towards(value, fast_level_, limit) - fast_level_);
    limit = kClip * std::max(scale_error_[0], floor);
    slow_level_ += kSlowRate * (clip_towards(value, slow_level_, limit) - slow_level_);
    double seasonal_limit = kClip * std::max(scale_error_[best_], floor);
    double learned = value;
    double expected;
    if (best_ >= 2 && predict(best_, timestamp, expected))
        learned = clip_towards(value, expected, seasonal_limit);
    daily_.learn(timestamp, learned);
    weekly_.learn(timestamp, learned);
    ++seen_;
    return raw;
}

template struct SeasonalProfile<48>;
template struct SeasonalProfile<168>;

}  // namespace agentmon::analytics
