// Holt-Winters on synthetic series with a known truth: the forecast tracks
// it, the interval covers new observations at about its nominal rate, and a
// series without trend gets a flat forecast.
#include <doctest/doctest.h>

#include <cmath>

#include "analytics/forecast_holt_winters.h"
#include "synthetic_series.h"

using namespace agentmon::analytics;
using analytics_test::daily_wave;
using analytics_test::make_series;

namespace {

double mean_abs_error(const std::vector<ForecastPoint>& f, const std::vector<double>& truth) {
    double sum = 0;
    for (size_t i = 0; i < truth.size(); ++i) sum += std::fabs(f[i].mean - truth[i]);
    return sum / double(truth.size());
}

}  // namespace

TEST_CASE("a noisy ramp: the forecast follows the line 100 steps on") {
    auto s = make_series([](double t) { return 10 + 0.5 * t; }, 400, 100, 1.0, 11);
    auto model = fit_holt_winters(s.history, {});
    auto f = forecast(model, 100, 0.95);
    CHECK(mean_abs_error(f, s.truth) < 3.0);
    CHECK(f.back().lower < s.truth.back());
    CHECK(f.back().upper > s.truth.back());
    CHECK(model.sigma == doctest::Approx(1.0).epsilon(0.15));
}

TEST_CASE("a seasonal series with a trend: one season ahead within the noise") {
    auto truth = [](double t) { return 100 + 0.05 * t + daily_wave(t, 24, 10); };
    auto s = make_series(truth, 24 * 14, 24, 1.0, 5);
    auto model = fit_holt_winters(s.history, {.period = 24});
    CHECK(model.period == 24);
    auto f = forecast(model, 24, 0.95);
    CHECK(mean_abs_error(f, s.truth) < 1.0);
    // Without the season the same history forecasts far worse.
    auto flat = forecast(fit_holt_winters(s.history, {}), 24, 0.95);
    CHECK(mean_abs_error(flat, s.truth) > 3 * mean_abs_error(f, s.truth));
}

TEST_CASE("the 95 % interval covers new observations about 95 % of the time") {
    auto truth = [](double t) { return 50 + 0.02 * t + daily_wave(t, 24, 8); };
    int covered = 0, total = 0;
    for (uint64_t seed = 1; seed <= 100; ++seed) {
        auto s = make_series(truth, 24 * 10, 24, 2.0, seed);
        auto f = forecast(fit_holt_winters(s.history, {.period = 24}), 24, 0.95);
        for (size_t h = 0; h < 24; ++h, ++total)
            covered += s.future[h] >= f[h].lower && s.future[h] <= f[h].upper;
    }
    double rate = double(covered) / total;
    MESSAGE("coverage " << rate);
    CHECK(rate > 0.90);
    CHECK(rate < 0.99);
}

TEST_CASE("the 80 % interval is narrower and covers about 80 %") {
    int covered = 0, total = 0;
    for (uint64_t seed = 1; seed <= 100; ++seed) {
        auto s = make_series([](double t) { return 20 + 0.1 * t; }, 200, 20, 1.0, seed);
        auto model = fit_holt_winters(s.history, {});
        auto f80 = forecast(model, 20, 0.80);
        auto f95 = forecast(model, 20, 0.95);
        CHECK(f80[10].upper - f80[10].lower < f95[10].upper - f95[10].lower);
        for (size_t h = 0; h < 20; ++h, ++total)
            covered += s.future[h] >= f80[h].lower && s.future[h] <= f80[h].upper;
    }
    double rate = double(covered) / total;
    MESSAGE("coverage " << rate);
    CHECK(rate > 0.72);
    CHECK(rate < 0.88);
}

TEST_CASE("no trend: the forecast stays flat, far out") {
    auto s = make_series([](double) { return 40.0; }, 500, 300, 1.0, 21);
    auto model = fit_holt_winters(s.history, {});
    auto f = forecast(model, 300, 0.95);
    CHECK(std::fabs(f.back().mean - 40.0) < 1.0);
    CHECK(std::fabs(f.back().mean - f.front().mean) < 1.0);
}

TEST_CASE("the interval widens with the horizon") {
    auto s = make_series([](double t) { return 5 + 0.01 * t; }, 300, 0, 0.5, 2);
    auto f = forecast(fit_holt_winters(s.history, {}), 50, 0.95);
    CHECK(f[49].upper - f[49].lower > f[0].upper - f[0].lower);
    CHECK(f[0].upper - f[0].lower == doctest::Approx(2 * 1.96 * 0.5).epsilon(0.2));
}

TEST_CASE("short histories: the last value, and the season dropped when under two seasons") {
    std::vector<double> two = {3, 4};
    auto f = forecast(fit_holt_winters(two, {}), 3, 0.95);
    CHECK(f[2].mean == 4);
    std::vector<double> few(30, 1.0);
    CHECK(fit_holt_winters(few, {.period = 24}).period == 0);
}

TEST_CASE("fitting is deterministic") {
    auto s = make_series([](double t) { return daily_wave(t, 24, 3) + 0.1 * t; }, 240, 0, 1, 8);
    auto a = fit_holt_winters(s.history, {.period = 24});
    auto b = fit_holt_winters(s.history, {.period = 24});
    CHECK(a.params.alpha == b.params.alpha);
    CHECK(a.level == b.level);
}
