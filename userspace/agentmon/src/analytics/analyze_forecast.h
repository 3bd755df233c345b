#pragma once
// The core of `agentmon analyze forecast`: fits the capacity command's
// Holt-Winters model (ETS(A,Ad,A), season found as `agentmon capacity` finds
// it) to an evenly spaced `timestamp,value` CSV and writes the forecast
// `seconds_ahead,forecast,lower,upper` (90 % interval) for the next
// `horizon_seconds`. The offline twin of the capacity forecast, for
// evaluation (scripts/eval-forecast.py) and for operators' own series.
#include <cstddef>
#include <ostream>
#include <span>
#include <string>

namespace agentmon::analytics {

// The season of an evenly spaced series with `step_seconds` between points:
// detected by autocorrelation between an hour and two days, snapped to exactly
// an hour or a day when within 3 % of one. 0 when none is found.
std::size_t calendar_season(std::span<const double> y, double step_seconds);

// Returns kAnalyzeOk, kAnalyzeBadInput (malformed, fewer than 3 rows, uneven
// steps, unwritable output) or kAnalyzeMissingFile, the reason on `err`.
int analyze_forecast(const std::string& input_path, const std::string& output_path,
                     double horizon_seconds, std::ostream& err);

}  // namespace agentmon::analytics
