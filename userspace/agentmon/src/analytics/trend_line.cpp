#include "analytics/trend_line.h"

#include <algorithm>
#include <cmath>

namespace agentmon::analytics {

void TrendLine::update(double seconds, double value) {
    if (!std::isfinite(value)) return;
    if (sw_ > 0) {
        const double dt = std::max(0.0, seconds - last_);
        const double decay = std::exp(-dt / tau_);
        // Move the time origin to the new point (t -> t - dt), then age the sums.
        stt_ = (stt_ - 2 * dt * st_ + dt * dt * sw_) * decay;
        sty_ = (sty_ - dt * sy_) * decay;
        st_ = (st_ - dt * sw_) * decay;
        sw_ *= decay;
        sww_ *= decay * decay;
        sy_ *= decay;
        syy_ *= decay;
    }
    last_ = seconds;
    sw_ += 1;
    sww_ += 1;
    sy_ += value;
    syy_ += value * value;
}

double TrendLine::slope() const {
    const double spread = sw_ * stt_ - st_ * st_;
    if (sw_ <= 0 || spread <= 1e-12 * sw_ * sw_) return 0;
    return (sw_ * sty_ - st_ * sy_) / spread;
}

double TrendLine::level() const {
    if (sw_ <= 0) return 0;
    // The fitted line at t = 0 (the last point).
    return (sy_ - slope() * st_) / sw_;
}

double TrendLine::effective_points() const { return sww_ > 0 ? sw_ * sw_ / sww_ : 0; }

double TrendLine::slope_t_statistic() const {
    const double b = slope();
    if (b == 0 || sw_ <= 0) return 0;
    const double a = level();
    // Weighted mean squared residual around the line.
    const double rss =
        syy_ - 2 * a * sy_ - 2 * b * sty_ + a * a * sw_ + 2 * a * b * st_ + b * b * stt_;
    const double n = effective_points();
    if (n <= 2) return 0;
    const double residual = std::max(rss / sw_, 0.0) * n / (n - 2);
    const double time_variance = stt_ / sw_ - (st_ / sw_) * (st_ / sw_);
    if (time_variance <= 0) return 0;
    // A perfect line has no scatter: its slope is as sure as it gets.
    const double error = std::sqrt(residual / (time_variance * n));
    if (error <= 1e-12 * std::fabs(b)) return b > 0 ? 1e6 : -1e6;
    return b / error;
}

}  // namespace agentmon::analytics
