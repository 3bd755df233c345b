#include "analytics/analyze_anomalies.h"

#include <fstream>
#include <vector>

#include "analytics/anomaly_detector.h"
#include "analytics/timeseries_csv.h"

namespace agentmon::analytics {

int analyze_anomalies(const std::string& input_path, const std::string& output_path,
                      std::ostream& err) {
    std::ifstream in(input_path);
    if (!in) {
        err << input_path << ": cannot open (missing or unreadable)\n";
        return kAnalyzeMissingFile;
    }
    CsvError error;
    auto rows = read_series_csv(in, error);
    if (!rows) {
        err << input_path << ":" << error.line << ": " << error.message << '\n';
        return kAnalyzeBadInput;
    }

    AnomalyDetector detector;
    std::vector<double> scores;
    scores.reserve(rows->size());
    for (const auto& row : *rows)
        scores.push_back(detector.update(row.timestamp_seconds, row.value));

    std::ofstream out(output_path, std::ios::trunc);
    if (out) write_scored_csv(out, *rows, scores, "anomaly_score");
    out.flush();
    if (!out) {
        err << output_path << ": cannot write the output\n";
        return kAnalyzeBadInput;
    }
    return kAnalyzeOk;
}

}  // namespace agentmon::analytics
