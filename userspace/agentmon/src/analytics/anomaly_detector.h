#pragma once
// The online anomaly detector for one metric series: three complementary
// causal detectors (prediction error, spread shift, contextual novelty), each
// turned into a tail probability by its own anomaly likelihood, combined into
// one score in [0, 1] that is comparable across series, then damped right
// after a detection so one anomaly reads as one alert. Constant memory (a few
// kilobytes), no thresholds to set per series, no randomness.
#include <cstddef>

#include "analytics/anomaly_likelihood.h"
#include "analytics/context_novelty.h"
#include "analytics/level_predictors.h"
#include "analytics/spread_shift.h"

namespace agentmon::analytics {

struct AnomalyDetectorConfig {
    // Points scored 0 while the detectors learn the series.
    std::size_t warmup_points = 150;
    // Reference history of each likelihood, in points.
    double history_points = 2000.0;
    // A score of 1 means a combined tail probability of 10^-probability_decades.
    double probability_decades = 10.0;
    // After a high score, later lower scores are damped; the damping halves
    // every suppression_half_life points.
    double suppression_half_life = 30.0;
    double suppression_damping = 0.5;
};

class AnomalyDetector {
  public:
    explicit AnomalyDetector(AnomalyDetectorConfig config = {});

    // Scores one point (timestamps in seconds, non-decreasing; repeats allowed).
    // Uses only this point and those before it.
    double update(double timestamp_seconds, double value);

    static constexpr std::size_t kDetectors = 3;

  private:
    AnomalyDetectorConfig config_;
    std::size_t seen_ = 0;
    LevelPredictors predictors_;
    SpreadShift spread_;
    ContextNovelty novelty_;
    AnomalyLikelihood likelihood_[kDetectors];
    double recent_peak_ = 0.0;
    double peak_decay_;
};

}  // namespace agentmon::analytics
