#include "analytics/analyze_anomalies.h"

#include <fstream>
#include <vector>

#include "analytics/anomaly_detector.h"
#include "analytics/timeseries_csv.h"

namespace agentmon::analytics {

std::optional<std::vector<SeriesRow>> read_series_file(const std::string& path, std::ostream& err,
                                                       int& code) {
    std::ifstream in(path);
    if (!in) {
        err << path << ": cannot open (missing or unreadable)\n";
        code = kAnalyzeMissingFile;
        return std::nullopt;
    }
    CsvError error;
    auto rows = read_series_csv(in, error);
    if (!rows) {
        err << path << ":" << error.line << ": " << error.message << '\n';
        code = kAnalyzeBadInput;
    }
    return rows;
}

int write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write,
                      std::ostream& err) {
    std::ofstream out(path, std::ios::trunc);
    if (out) write(out);
    out.flush();
    if (!out) {
        err << path << ": cannot write the output\n";
        return kAnalyzeBadInput;
    }
    return kAnalyzeOk;
}

int analyze_anomalies(const std::string& input_path, const std::string& output_path,
                      std::ostream& err) {
    int code = kAnalyzeOk;
    auto rows = read_series_file(input_path, err, code);
    if (!rows) return code;

    AnomalyDetector detector;
    std::vector<double> scores;
    scores.reserve(rows->size());
    for (const auto& row : *rows)
        scores.push_back(detector.update(row.timestamp_seconds, row.value));

    return write_output_file(
        output_path,
        [&](std::ostream& out) { write_scored_csv(out, *rows, scores, "anomaly_score"); }, err);
}

}  // namespace agentmon::analytics
