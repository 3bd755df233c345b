#pragma once
// The core of `agentmon analyze anomalies`: scores a `timestamp,value` CSV
// into a `timestamp,value,anomaly_score` CSV.
#include <functional>
#include <optional>
#include <ostream>
#include <vector>

#include <string>
#include "analytics/timeseries_csv.h"

namespace agentmon::analytics {

inline constexpr int kAnalyzeOk = 0;
inline constexpr int kAnalyzeBadInput = 1;
inline constexpr int kAnalyzeMissingFile = 2;

// The rows of the `timestamp,value` CSV at `path`, or nullopt with the reason on
// `err` and the exit code in `code` (kAnalyzeMissingFile, kAnalyzeBadInput).
// Shared by every `agentmon analyze` command.
std::optional<std::vector<SeriesRow>> read_series_file(const std::string& path, std::ostream& err,
                                                       int& code);

// Writes `path` with `write`, truncating it first; kAnalyzeBadInput (and the reason on
// `err`) when it cannot be written, else kAnalyzeOk.
int write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write,
                      std::ostream& err);

// Returns kAnalyzeOk, kAnalyzeBadInput (a malformed row, named by line, or an
// unwritable output) or kAnalyzeMissingFile; the reason goes to `err`. The
// output is written only when the whole input is valid.
int analyze_anomalies(const std::string& input_path, const std::string& output_path,
                      std::ostream& err);

}  // namespace agentmon::analytics
