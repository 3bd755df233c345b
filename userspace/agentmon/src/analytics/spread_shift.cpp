#include "analytics/spread_shift.h"

#include <algorithm>
#include <cmath>

namespace agentmon::analytics {

namespace {
constexpr double kRecentRate = 0.15;  // the last ~7 changes
constexpr double kLongRate = 0.005;   // the last ~200 changes
constexpr double kCap = 8.0;
}  // namespace

double SpreadShift::update(double value) {
    double change = seen_ == 0 ? 0.0 : std::abs(value - previous_);
    previous_ = value;
    ++seen_;
    if (seen_ == 1) return 0.0;
    if (seen_ == 2) {
        recent_ = long_run_ = change;
        return 0.0;
    }
    recent_ += kRecentRate * (change - recent_);
    double score = 0.0;
    // Series that are mostly constant (counters that rarely move) have a
    // long-run spread near zero; the floor keeps their rare moves finite.
    double floor = 1e-9 * (std::abs(value) + 1.0) + 1e-3 * long_run_;
    score = std::min(kCap, std::abs(std::log((recent_ + floor) / (long_run_ + floor))));
    // Learn the long run after judging, at 1/n while young.
    double rate = std::max(kLongRate, 1.0 / static_cast<double>(seen_ - 1));
    long_run_ += rate * (change - long_run_);
    return score;
}

}  // namespace agentmon::analytics
