#include "analytics/anomaly_detector.h"

#include <algorithm>
#include <cmath>

namespace agentmon::analytics {

AnomalyDetector::AnomalyDetector(AnomalyDetectorConfig config)
    : config_(config),
      likelihood_{AnomalyLikelihood(config.history_points),
                  AnomalyLikelihood(config.history_points),
                  AnomalyLikelihood(config.history_points)},
      peak_decay_(std::pow(0.5, 1.0 / std::max(1.0, config.suppression_half_life))) {}

double AnomalyDetector::update(double timestamp_seconds, double value) {
    double tail[kDetectors] = {
        likelihood_[0].update(predictors_.update(timestamp_seconds, value)),
        likelihood_[1].update(spread_.update(value)),
        likelihood_[2].update(novelty_.update(value)),
    };
    ++seen_;
    if (seen_ <= config_.warmup_points) return 0.0;

    // The most surprised detector speaks, corrected for having asked three
    // (Sidak): three detectors must not triple the false alarms of one.
    double smallest = std::min({tail[0], tail[1], tail[2]});
    double combined = -std::expm1(static_cast<double>(kDetectors) * std::log1p(-smallest));
    if (smallest >= 1.0) combined = 1.0;
    double score = 0.0;
    if (combined <= 0.0) {
        score = 1.0;
    } else {
        score = std::clamp(-std::log10(combined) / config_.probability_decades, 0.0, 1.0);
    }

    // A new peak passes; the tail of an anomaly already reported is damped, so
    // the detector fires once at the onset rather than for as long as the
    // models take to adapt.
    recent_peak_ *= peak_decay_;
    double reported = score > recent_peak_ ? score : score * config_.suppression_damping;
    recent_peak_ = std::max(recent_peak_, reported);
    return reported;
}

}  // namespace agentmon::analytics
