#pragma once
// Small statistics the forecaster needs: the normal quantile (for prediction
// intervals) and the autocorrelation that finds a series' season.
#include <cstddef>
#include <span>

namespace agentmon::analytics {

// The standard normal's quantile function, e.g. 1.96 for p = 0.975.
// Acklam's rational approximation: relative error below 1.2e-9 on (0, 1).
double normal_quantile(double p);

// Sample autocorrelation of y at lag, after removing y's least-squares line
// (so a ramp does not look like a season of every length).
double detrended_autocorrelation(std::span<const double> y, size_t lag);

// The season length of y: the lag in [min_lag, y.size() / 2] whose detrended
// autocorrelation is the first local peak (rising 0.1 above the trough before
// it) within 10 % of the highest such peak, when that is at least
// min_correlation. 0 when y has no season there.
size_t detect_season_length(std::span<const double> y, size_t min_lag, size_t max_lag,
                            double min_correlation = 0.3);

}  // namespace agentmon::analytics
