#pragma once
// The prediction-error detector: several cheap one-step predictors of the next
// value run side by side (slow level, fast level, time-of-day profile,
// hour-of-week profile), and the one with the lowest recent error speaks for
// the series. That choice is how the detector copes with seasonality without
// being told a period: a seasonal series is best predicted by its profile, a
// random walk by its last values, stationary noise by its long-run level.
#include <array>
#include <cstddef>

namespace agentmon::analytics {

// One time-of-day or hour-of-week profile: per bin, a smoothed value, plus an
// offset that follows level shifts so the profile's shape survives them.
template <std::size_t Bins>
struct SeasonalProfile {
    double bin_seconds;
    double period_seconds;
    std::array<double, Bins> value{};
    std::array<unsigned, Bins> visits{};
    double offset = 0.0;
    double first_timestamp = -1.0;

    std::size_t bin_of(double timestamp) const;
    // The prediction for this timestamp, or false when its bin has no history
    // yet or the series has not covered one whole period.
    bool predict(double timestamp, double& prediction) const;
    void learn(double timestamp, double value);
};

class LevelPredictors {
  public:
    // Returns the raw score of this point: log(1 + |error| / typical error)
    // of the best predictor, then learns from the point.
    double update(double timestamp, double value);

    static constexpr std::size_t kPredictors = 4;
    std::size_t best_predictor() const { return best_; }

  private:
    bool predict(std::size_t which, double timestamp, double& prediction) const;

    std::size_t seen_ = 0;
    double slow_level_ = 0.0;
    double fast_level_ = 0.0;
    SeasonalProfile<48> daily_{1800.0, 86400.0};
    SeasonalProfile<168> weekly_{3600.0, 7.0 * 86400.0};
    // Smoothed absolute error of each predictor: the model choice (slowly
    // forgotten) and the scale the residual is judged against.
    std::array<double, kPredictors> choice_error_{};
    std::array<double, kPredictors> scale_error_{};
    std::array<std::size_t, kPredictors> scored_{};
    std::size_t best_ = 0;
};

}  // namespace agentmon::analytics
