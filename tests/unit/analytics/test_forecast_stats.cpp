// The forecaster's building blocks: the normal quantile, the simplex
// minimiser and the season detector.
#include <doctest/doctest.h>

#include <cmath>

#include "analytics/forecast_optimizer.h"
#include "analytics/forecast_stats.h"
#include "synthetic_series.h"

using namespace agentmon::analytics;
using analytics_test::daily_wave;
using analytics_test::make_series;

TEST_CASE("normal_quantile matches the tables") {
    CHECK(normal_quantile(0.5) == doctest::Approx(0.0).epsilon(1e-9));
    CHECK(normal_quantile(0.975) == doctest::Approx(1.959964).epsilon(1e-6));
    CHECK(normal_quantile(0.95) == doctest::Approx(1.644854).epsilon(1e-6));
    CHECK(normal_quantile(0.01) == doctest::Approx(-2.326348).epsilon(1e-6));
    CHECK(std::isinf(normal_quantile(0)));
}

TEST_CASE("nelder_mead finds the Rosenbrock valley's minimum") {
    auto rosenbrock = [](const std::vector<double>& x) {
        return 100 * std::pow(x[1] - x[0] * x[0], 2) + std::pow(1 - x[0], 2);
    };
    auto r = nelder_mead(rosenbrock, {-1.2, 1.0}, 0.5, 4000, 1e-14);
    CHECK(r.x[0] == doctest::Approx(1.0).epsilon(1e-3));
    CHECK(r.x[1] == doctest::Approx(1.0).epsilon(1e-3));
    CHECK(r.evaluations <= 4000);
}

TEST_CASE("nelder_mead is deterministic") {
    auto bowl = [](const std::vector<double>& x) { return std::pow(x[0] - 3, 2) + x[1] * x[1]; };
    auto a = nelder_mead(bowl, {0, 0}, 1.0);
    auto b = nelder_mead(bowl, {0, 0}, 1.0);
    CHECK(a.x == b.x);
    CHECK(a.evaluations == b.evaluations);
}

TEST_CASE("detect_season_length finds a daily season under noise and a trend") {
    auto s = make_series([](double t) { return 100 + 0.05 * t + daily_wave(t, 24, 10); }, 24 * 10,
                         0, 2.0, 7);
    CHECK(detect_season_length(s.history, 2, 24 * 3) == 24);
}

TEST_CASE("detect_season_length finds no season in a noisy ramp or in noise") {
    auto ramp = make_series([](double t) { return 10 + 0.5 * t; }, 500, 0, 1.0, 3);
    CHECK(detect_season_length(ramp.history, 2, 200) == 0);
    auto flat = make_series([](double) { return 40.0; }, 500, 0, 1.0, 4);
    CHECK(detect_season_length(flat.history, 2, 200) == 0);
}

TEST_CASE("detect_season_length reports the season, not its multiples") {
    auto s = make_series([](double t) { return daily_wave(t, 12, 5); }, 12 * 20, 0, 0.5, 9);
    CHECK(detect_season_length(s.history, 2, 100) == 12);
}
