// The anomaly detector on synthetic series with known anomalies: high where
// they are, quiet where there are none, bounded and deterministic.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "analytics/anomaly_detector.h"

using namespace agentmon::analytics;

namespace {

// The NAB-style evaluation (scripts/eval-anomaly.py) picked 0.745 as the corpus
// threshold; below kQuiet is silence, above kFires a detection.
constexpr double kQuiet = 0.7;
constexpr double kFires = 0.75;

// A fixed-seed generator so the tests are deterministic.
double noise(std::uint64_t& state) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
}

std::vector<double> daily_series(std::size_t n, std::uint64_t seed) {
    std::vector<double> v;
    for (std::size_t i = 0; i < n; ++i)
        v.push_back(100 + 30 * std::sin(2 * M_PI * i / 288.0) + 4 * noise(seed));
    return v;
}

std::vector<double> score(const std::vector<double>& values) {
    AnomalyDetector detector;
    std::vector<double> out;
    for (std::size_t i = 0; i < values.size(); ++i)
        out.push_back(detector.update(300.0 * i, values[i]));
    return out;
}

double max_in(const std::vector<double>& s, std::size_t from, std::size_t to) {
    return *std::max_element(s.begin() + from, s.begin() + to);
}

}  // namespace

TEST_CASE("scores stay in [0, 1] and the same input gives the same scores") {
    auto values = daily_series(3000, 7);
    auto a = score(values), b = score(values);
    CHECK(a == b);
    for (double s : a) CHECK((s >= 0.0 && s <= 1.0));
}

TEST_CASE("a seasonal series without anomalies stays quiet") {
    auto s = score(daily_series(4000, 3));
    CHECK(max_in(s, 0, s.size()) < kQuiet);
}

TEST_CASE("a spike is detected where it is") {
    auto values = daily_series(4000, 5);
    values[2500] += 60;
    auto s = score(values);
    CHECK(max_in(s, 2500, 2503) > kFires);
    CHECK(max_in(s, 0, 2490) < kQuiet);
}

TEST_CASE("a level shift fires near its onset and once") {
    auto values = daily_series(4000, 9);
    for (std::size_t i = 2000; i < values.size(); ++i) values[i] += 50;
    auto s = score(values);
    CHECK(max_in(s, 2000, 2010) > kFires);
    CHECK(max_in(s, 2400, s.size()) < kQuiet);
}

TEST_CASE("a flat line (a stuck sensor) is detected") {
    auto values = daily_series(4000, 11);
    for (std::size_t i = 2500; i < 2650; ++i) values[i] = values[2500];
    auto s = score(values);
    CHECK(max_in(s, 2500, 2530) > kFires);
}

TEST_CASE("the state is a fixed-size object: no heap, a few kilobytes per series") {
    // Every member is a scalar or a std::array, so sizeof is the whole state.
    MESSAGE("sizeof(AnomalyDetector) = " << sizeof(AnomalyDetector));
    CHECK(sizeof(AnomalyDetector) < 8192);
}
