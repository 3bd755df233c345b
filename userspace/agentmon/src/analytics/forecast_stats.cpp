#include "analytics/forecast_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace agentmon::analytics {

double normal_quantile(double p) {
    if (p <= 0) return -HUGE_VAL;
    if (p >= 1) return HUGE_VAL;
    static constexpr double kA[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                    -2.759285104469687e+02, 1.383577518672690e+02,
                                    -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double kB[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                    -1.556989798598866e+02, 6.680131188771972e+01,
                                    -1.328068155288572e+01};
    static constexpr double kC[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                    -2.400758277161838e+00, -2.549732539343734e+00,
                                    4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double kD[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                    2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double kLow = 0.02425;
    auto tail = [&](double q) {
        return (((((kC[0] * q + kC[1]) * q + kC[2]) * q + kC[3]) * q + kC[4]) * q + kC[5]) /
               ((((kD[0] * q + kD[1]) * q + kD[2]) * q + kD[3]) * q + 1);
    };
    if (p < kLow) return tail(std::sqrt(-2 * std::log(p)));
    if (p > 1 - kLow) return -tail(std::sqrt(-2 * std::log(1 - p)));
    double q = p - 0.5, r = q * q;
    return (((((kA[0] * r + kA[1]) * r + kA[2]) * r + kA[3]) * r + kA[4]) * r + kA[5]) * q /
           (((((kB[0] * r + kB[1]) * r + kB[2]) * r + kB[3]) * r + kB[4]) * r + 1);
}

namespace {

std::vector<double> detrended(std::span<const double> y) {
    const double n = double(y.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < y.size(); ++i) {
        sx += double(i);
        sy += y[i];
        sxx += double(i) * double(i);
        sxy += double(i) * y[i];
    }
    double denom = n * sxx - sx * sx;
    double slope = denom != 0 ? (n * sxy - sx * sy) / denom : 0;
    double intercept = (sy - slope * sx) / n;
    std::vector<double> out(y.size());
    for (size_t i = 0; i < y.size(); ++i) out[i] = y[i] - (intercept + slope * double(i));
    return out;
}

double autocorrelation(const std::vector<double>& r, size_t lag) {
    double num = 0, den = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        den += r[i] * r[i];
        if (i + lag < r.size()) num += r[i] * r[i + lag];
    }
    return den > 0 ? num / den : 0;
}

}  // namespace

double detrended_autocorrelation(std::span<const double> y, size_t lag) {
    if (lag >= y.size()) return 0;
    return autocorrelation(detrended(y), lag);
}

size_t detect_season_length(std::span<const double> y, size_t min_lag, size_t max_lag,
                            double min_correlation) {
    max_lag = std::min(max_lag, y.size() / 2);
    if (min_lag < 2) min_lag = 2;
    if (max_lag <= min_lag + 1) return 0;
    auto r = detrended(y);
    std::vector<double> acf(max_lag + 2, 0.0);
    for (size_t lag = min_lag - 1; lag <= max_lag + 1 && lag < y.size(); ++lag)
        acf[lag] = autocorrelation(r, lag);
    // A season's peak rises well above the trough before it; a smoothed or
    // slowly varying series has an autocorrelation that decays with small
    // wiggles, and those are not seasons.
    constexpr double kMinProminence = 0.1;
    std::vector<size_t> peaks;
    double best = -1;
    double trough = acf[min_lag - 1];
    for (size_t lag = min_lag; lag <= max_lag; ++lag) {
        trough = std::min(trough, acf[lag]);
        if (acf[lag] > acf[lag - 1] && acf[lag] >= acf[lag + 1] &&
            acf[lag] - trough >= kMinProminence) {
            peaks.push_back(lag);
            best = std::max(best, acf[lag]);
            trough = acf[lag];
        }
    }
    if (best < min_correlation) return 0;
    // The first peak close to the best: multiples of the season peak about
    // as high as the season itself, and the shortest is the season.
    for (size_t lag : peaks)
        if (acf[lag] >= 0.9 * best) return lag;
    return 0;
}

}  // namespace agentmon::analytics
