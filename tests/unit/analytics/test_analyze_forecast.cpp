// `agentmon analyze forecast`'s core on files: a daily season found and carried
// forward, a ramp extrapolated, uneven or short input refused with the reason.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analytics/analyze_anomalies.h"
#include "analytics/analyze_forecast.h"

using namespace agentmon::analytics;

namespace {

constexpr double kPi = 3.141592653589793;

std::string write_series(const std::string& name, int points, int step_seconds,
                         double (*value)(int)) {
    const std::string path = "/tmp/agentmon-test-forecast-" + name + ".csv";
    std::ofstream f(path);
    f << "timestamp,value\n";
    for (int i = 0; i < points; ++i) {
        const long t = 1700000000L + long(i) * step_seconds;
        const long day = t % 86400;
        char stamp[64];  // room for any long the format can print
        std::snprintf(stamp, sizeof stamp, "2023-11-%02ld %02ld:%02ld:%02ld",
                      14 + t / 86400 - 19675, day / 3600, day % 3600 / 60, day % 60);
        f << stamp << ',' << value(i) << '\n';
    }
    return path;
}

std::vector<double> read_forecast(const std::string& path) {
    std::ifstream f(path);
    std::string line;
    std::getline(f, line);
    std::vector<double> out;
    while (std::getline(f, line)) {
        std::istringstream row(line);
        std::string ahead, mean;
        std::getline(row, ahead, ',');
        std::getline(row, mean, ',');
        out.push_back(std::stod(mean));
    }
    return out;
}

}  // namespace

TEST_CASE("analyze forecast: a daily season is found and carried a day ahead") {
    // 5 min steps, 4 days of a daily sine around 100.
    auto in = write_series("season", 4 * 288, 300,
                           [](int i) { return 100 + 30 * std::sin(2 * kPi * i / 288.0); });
    std::ostringstream err;
    REQUIRE(analyze_forecast(in, in + ".out", 86400, err) == kAnalyzeOk);
    auto f = read_forecast(in + ".out");
    REQUIRE(f.size() == 288);
    // A quarter day ahead the sine is at its peak.
    CHECK(f[71] == doctest::Approx(130).epsilon(0.03));
    CHECK(f[215] == doctest::Approx(70).epsilon(0.05));
}

TEST_CASE("analyze forecast: a ramp is extrapolated") {
    auto in = write_series("ramp", 500, 60, [](int i) { return 10 + 0.5 * i; });
    std::ostringstream err;
    REQUIRE(analyze_forecast(in, in + ".out", 3600, err) == kAnalyzeOk);
    auto f = read_forecast(in + ".out");
    REQUIRE(f.size() == 60);
    CHECK(f.back() == doctest::Approx(10 + 0.5 * 559).epsilon(0.02));
}

TEST_CASE("analyze forecast: short, uneven and missing input are refused with the reason") {
    std::ostringstream err;
    auto short_in = write_series("short", 2, 60, [](int) { return 1.0; });
    CHECK(analyze_forecast(short_in, short_in + ".out", 60, err) == kAnalyzeBadInput);
    CHECK(err.str().find("at least 3 rows") != std::string::npos);
    auto uneven = write_series("uneven", 100, 60, [](int) { return 1.0; });
    {
        std::ofstream f(uneven, std::ios::app);
        f << "2023-12-30 00:00:00,1\n";  // a month later
    }
    err.str("");
    CHECK(analyze_forecast(uneven, uneven + ".out", 60, err) == kAnalyzeBadInput);
    CHECK(err.str().find("evenly spaced") != std::string::npos);
    CHECK(analyze_forecast("/nonexistent.csv", "/tmp/x.out", 60, err) == kAnalyzeMissingFile);
}

TEST_CASE("calendar season: snapped to a day, none in noise-free ramps") {
    std::vector<double> daily;
    for (int i = 0; i < 4 * 287; ++i) daily.push_back(std::sin(2 * kPi * i / 287.0));
    CHECK(calendar_season(daily, 300) == 288);  // 287 is within 3 % of a day
    std::vector<double> ramp;
    for (int i = 0; i < 1000; ++i) ramp.push_back(i);
    CHECK(calendar_season(ramp, 300) == 0);
}
