#include "analytics/anomaly_likelihood.h"

#include <algorithm>
#include <cmath>

namespace agentmon::analytics {

double normal_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double AnomalyLikelihood::update(double raw) {
    // Short-term average: a lone noisy raw score moves it a third as much as a
    // run of them, which is what tells an anomaly from noise.
    recent_[recent_count_ % kAveragingWindow] = raw;
    ++recent_count_;
    std::size_t n = std::min(recent_count_, kAveragingWindow);
    double average = 0.0;
    for (std::size_t i = 0; i < n; ++i) average += recent_[i];
    average /= static_cast<double>(n);

    double probability = 1.0;
    if (seen_ >= kMinPoints) {
        // A floor on the spread: a series whose raw score has been constant
        // (a flat line) must not turn the first tiny change into a certainty.
        double spread = std::max(std::sqrt(variance_), 0.05 + 0.1 * std::abs(mean_));
        probability = normal_tail((average - mean_) / spread);
    }

    // Judge first, then learn: the point's own score never dilutes its judgement.
    // Weights are 1/n at first (an exact average), then a fixed forgetting rate.
    seen_ += 1.0;
    double weight = 1.0 / std::min(seen_, history_points_);
    double delta = average - mean_;
    mean_ += weight * delta;
    variance_ = (1.0 - weight) * (variance_ + weight * delta * delta);
    return probability;
}

}  // namespace agentmon::analytics
