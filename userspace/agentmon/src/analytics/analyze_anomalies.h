#pragma once
// The core of `agentmon analyze anomalies`: scores a `timestamp,value` CSV
// into a `timestamp,value,anomaly_score` CSV.
#include <ostream>
#include <string>

namespace agentmon::analytics {

inline constexpr int kAnalyzeOk = 0;
inline constexpr int kAnalyzeBadInput = 1;
inline constexpr int kAnalyzeMissingFile = 2;

// Returns kAnalyzeOk, kAnalyzeBadInput (a malformed row, named by line, or an
// unwritable output) or kAnalyzeMissingFile; the reason goes to `err`. The
// output is written only when the whole input is valid.
int analyze_anomalies(const std::string& input_path, const std::string& output_path,
                      std::ostream& err);

}  // namespace agentmon::analytics
