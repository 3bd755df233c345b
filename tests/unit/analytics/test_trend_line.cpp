// TrendLine on synthetic series: an exact line, a noisy ramp, pure noise, and a
// burst pattern shorter than the time constant.
#include <doctest/doctest.h>

#include <cmath>

#include "analytics/trend_line.h"

using agentmon::analytics::TrendLine;

namespace {
// Deterministic noise in [-1, 1] (a linear congruential generator).
double noise(unsigned& state) {
    state = state * 1103515245u + 12345u;
    return static_cast<double>((state >> 8) % 2001) / 1000.0 - 1.0;
}
}  // namespace

TEST_CASE("trend line: an exact line gives its level and slope") {
    TrendLine line(10);
    for (int t = 0; t <= 50; ++t) line.update(t, 3 + 0.5 * t);
    CHECK(line.slope() == doctest::Approx(0.5));
    CHECK(line.level() == doctest::Approx(28));
    CHECK(line.slope_t_statistic() > 100);
}

TEST_CASE("trend line: a noisy ramp is significant, pure noise is not") {
    unsigned seed = 7;
    TrendLine ramp(15), flat(15);
    for (int t = 0; t < 120; ++t) {
        ramp.update(t, 10 + 0.2 * t + noise(seed));
        flat.update(t, 10 + noise(seed));
    }
    CHECK(ramp.slope() == doctest::Approx(0.2).epsilon(0.15));
    CHECK(ramp.slope_t_statistic() > 3);
    CHECK(std::fabs(flat.slope_t_statistic()) < 3);
}

TEST_CASE("trend line: irregular ticks and repeated timestamps are fine") {
    TrendLine line(20);
    double t = 0;
    for (int i = 0; i < 40; ++i) {
        line.update(t, 2 * t);
        line.update(t, 2 * t);  // a repeat
        t += (i % 3) + 0.5;
    }
    CHECK(line.slope() == doctest::Approx(2).epsilon(0.01));
}

TEST_CASE("trend line: a burst shorter than the time constant averages out") {
    TrendLine line(15);
    // 1 s of 4x, 2 s of 1x, for two minutes: no lasting slope.
    for (int t = 0; t < 120; ++t) line.update(t, t % 3 == 0 ? 40 : 10);
    CHECK(std::fabs(line.slope()) < 0.1);
    CHECK(std::fabs(line.slope_t_statistic()) < 3);
}
