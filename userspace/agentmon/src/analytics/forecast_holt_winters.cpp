#include "analytics/forecast_holt_winters.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analytics/forecast_optimizer.h"
#include "analytics/forecast_stats.h"

namespace agentmon::analytics {

namespace {

struct State {
    double level;
    double trend;
    std::vector<double> season;
};

// Initial states from the start of the series: with a season, the level and
// trend of the first two seasons' means and the first season's deviations
// from that line; without, the first value and the slope of the first ten.
State initial_state(std::span<const double> y, size_t period) {
    State s{};
    if (period >= 2) {
        double m1 = std::accumulate(y.begin(), y.begin() + period, 0.0) / double(period);
        double m2 =
            std::accumulate(y.begin() + period, y.begin() + 2 * period, 0.0) / double(period);
        s.trend = (m2 - m1) / double(period);
        // m1 is the line's value at the first season's middle, (period - 1) / 2.
        double mid = double(period - 1) / 2;
        s.level = m1 - s.trend * (mid + 1);
        s.season.resize(period);
        for (size_t i = 0; i < period; ++i) s.season[i] = y[i] - (m1 + s.trend * (double(i) - mid));
        double mean = std::accumulate(s.season.begin(), s.season.end(), 0.0) / double(period);
        for (double& v : s.season) v -= mean;
    } else {
        size_t k = std::min<size_t>(10, y.size() - 1);
        s.trend = k > 0 ? (y[k] - y[0]) / double(k) : 0;
        s.level = y[0] - s.trend;
    }
    return s;
}

// Runs the filter over y; returns the SSE and leaves the final states in s.
double filter(std::span<const double> y, size_t period, const HoltWintersParams& p, State& s) {
    double sse = 0;
    const bool seasonal = period >= 2;
    for (size_t t = 0; t < y.size(); ++t) {
        double seasonal_part = seasonal ? s.season[t % period] : 0;
        double error = y[t] - (s.level + p.phi * s.trend + seasonal_part);
        sse += error * error;
        s.level = s.level + p.phi * s.trend + p.alpha * error;
        s.trend = p.phi * s.trend + p.beta * error;
        if (seasonal) s.season[t % period] += p.gamma * error;
    }
    return sse;
}

double logistic(double u) { return 1 / (1 + std::exp(-u)); }
double logit(double v) { return std::log(v / (1 - v)); }

// The optimiser searches an unconstrained space; this maps it onto the
// admissible region (0 < beta < alpha, 0 < gamma < 1 - alpha, phi in range).
HoltWintersParams to_params(const std::vector<double>& u, const HoltWintersOptions& o) {
    HoltWintersParams p;
    p.alpha = 1e-4 + (1 - 2e-4) * logistic(u[0]);
    p.beta = p.alpha * logistic(u[1]);
    p.phi = o.phi_min + (o.phi_max - o.phi_min) * logistic(u[2]);
    p.gamma = u.size() > 3 ? (1 - p.alpha) * logistic(u[3]) : 0;
    return p;
}

std::vector<double> to_search_space(const HoltWintersParams& p, const HoltWintersOptions& o,
                                    bool seasonal) {
    std::vector<double> u = {logit((p.alpha - 1e-4) / (1 - 2e-4)), logit(p.beta / p.alpha),
                             logit((p.phi - o.phi_min) / (o.phi_max - o.phi_min))};
    if (seasonal) u.push_back(logit(p.gamma / (1 - p.alpha)));
    return u;
}

}  // namespace

double holt_winters_sse(std::span<const double> y, size_t period, const HoltWintersParams& params) {
    State s = initial_state(y, period);
    return filter(y, period, params, s);
}

HoltWintersModel fit_holt_winters(std::span<const double> y, const HoltWintersOptions& options) {
    HoltWintersModel model;
    model.observations = y.size();
    if (y.size() < 3) {
        model.level = y.empty() ? 0 : y.back();
        return model;
    }
    const size_t period =
        options.period >= 2 && y.size() >= 2 * options.period ? options.period : 0;
    const bool seasonal = period != 0;
    auto cost = [&](const std::vector<double>& u) {
        return holt_winters_sse(y, period, to_params(u, options));
    };
    // Two deterministic starts, a responsive and a smooth one; keep the better.
    MinimizeResult best{};
    bool have_best = false;
    for (double alpha : {0.5, 0.1}) {
        HoltWintersParams start{alpha, alpha * 0.1, 0.1 * (1 - alpha),
                                options.phi_min + 0.9 * (options.phi_max - options.phi_min)};
        auto result = nelder_mead(cost, to_search_space(start, options, seasonal), 1.0);
        if (!have_best || result.value < best.value) best = result, have_best = true;
    }
    model.params = to_params(best.x, options);
    model.period = period;
    State s = initial_state(y, period);
    double sse = filter(y, period, model.params, s);
    model.level = s.level;
    model.trend = s.trend;
    model.season = std::move(s.season);
    // Degrees of freedom: one per smoothing parameter plus the initial states.
    double used = double(seasonal ? 4 + 2 + period : 3 + 2);
    double dof = std::max(1.0, double(y.size()) - used);
    model.sigma = std::sqrt(sse / dof);
    return model;
}

std::vector<ForecastPoint> forecast(const HoltWintersModel& model, size_t horizon,
                                    double coverage) {
    const auto& p = model.params;
    const double z = normal_quantile(0.5 + coverage / 2);
    std::vector<ForecastPoint> out;
    out.reserve(horizon);
    double damped_sum = 0;    // phi + phi^2 + ... + phi^h
    double phi_power = 1;     // phi^h
    double variance_sum = 1;  // 1 + sum_{j<h} c_j^2
    for (size_t h = 1; h <= horizon; ++h) {
        phi_power *= p.phi;
        damped_sum += phi_power;
        double mean = model.level + damped_sum * model.trend;
        if (model.period >= 2) mean += model.season[(model.observations + h - 1) % model.period];
        double spread = z * model.sigma * std::sqrt(variance_sum);
        out.push_back({mean, mean - spread, mean + spread});
        // c_h: how much of the step-h error is still in the state h steps on.
        double c = p.alpha + p.beta * (damped_sum);
        if (model.period >= 2 && h % model.period == 0) c += p.gamma;
        variance_sum += c * c;
    }
    return out;
}

}  // namespace agentmon::analytics
