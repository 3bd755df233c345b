#pragma once
// Turns one detector's raw scores into a tail probability, the way Numenta's
// "anomaly likelihood" does: how unusual is the short-term average of the raw
// score, given the distribution of that average over the series' history. The
// history is summarised by exponentially weighted mean and variance, so the
// memory is constant, and every raw scale (residual ratios, novelty fractions,
// log spread ratios) comes out on the same scale: a probability.
#include <array>
#include <cstddef>

namespace agentmon::analytics {

class AnomalyLikelihood {
  public:
    // history_points: effective length of the reference history (the weight of
    // a raw score halves after about 0.7 * history_points points).
    explicit AnomalyLikelihood(double history_points = 2000.0) : history_points_(history_points) {}

    // Feeds one raw score (>= 0, larger = more anomalous) and returns the
    // probability, under the history so far, of a short-term average at least
    // this high: near 1 for ordinary points, tiny for anomalous ones. Returns 1
    // until enough history exists to judge.
    double update(double raw);

    static constexpr std::size_t kAveragingWindow = 3;
    static constexpr double kMinPoints = 30.0;

  private:
    double history_points_;
    std::array<double, kAveragingWindow> recent_{};
    std::size_t recent_count_ = 0;
    double seen_ = 0.0;
    double mean_ = 0.0;
    double variance_ = 0.0;
};

// Upper-tail probability of the standard normal at z.
double normal_tail(double z);

}  // namespace agentmon::analytics
