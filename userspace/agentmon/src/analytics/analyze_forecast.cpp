#include "analytics/analyze_forecast.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "analytics/analyze_anomalies.h"
#include "analytics/forecast_holt_winters.h"
#include "analytics/forecast_stats.h"
#include "analytics/timeseries_csv.h"

namespace agentmon::analytics {

std::size_t calendar_season(std::span<const double> y, double step_seconds) {
    if (step_seconds <= 0) return 0;
    const auto min_lag = std::size_t(std::max(2.0, 3600 / step_seconds));
    const auto max_lag = std::size_t(2 * 86400 / step_seconds);
    const std::size_t lag = detect_season_length(y, min_lag, max_lag);
    for (double calendar : {3600.0, 86400.0}) {
        const double samples = calendar / step_seconds;
        if (lag && std::fabs(double(lag) - samples) <= 0.03 * samples) return std::size_t(samples);
    }
    return lag;
}

int analyze_forecast(const std::string& input_path, const std::string& output_path,
                     double horizon_seconds, std::ostream& err) {
    int code = kAnalyzeOk;
    auto rows = read_series_file(input_path, err, code);
    if (!rows) return code;
    if (rows->size() < 3) {
        err << input_path << ": a forecast needs at least 3 rows, got " << rows->size() << '\n';
        return kAnalyzeBadInput;
    }
    // The model counts in steps: the median gap is the step, and a series with
    // gaps far from it is not evenly spaced.
    std::vector<double> gaps;
    for (std::size_t i = 1; i < rows->size(); ++i)
        gaps.push_back((*rows)[i].timestamp_seconds - (*rows)[i - 1].timestamp_seconds);
    std::nth_element(gaps.begin(), gaps.begin() + long(gaps.size() / 2), gaps.end());
    const double step = gaps[gaps.size() / 2];
    const double span = rows->back().timestamp_seconds - rows->front().timestamp_seconds;
    if (step <= 0 ||
        std::fabs(span / step - double(rows->size() - 1)) > 0.01 * double(rows->size())) {
        err << input_path << ": timestamps are not evenly spaced (median step " << step
            << " s); resample the series first\n";
        return kAnalyzeBadInput;
    }
    std::vector<double> y;
    y.reserve(rows->size());
    for (const auto& row : *rows) y.push_back(row.value);

    const auto model = fit_holt_winters(y, {.period = calendar_season(y, step)});
    const auto steps = std::size_t(std::max(1.0, std::ceil(horizon_seconds / step)));
    const auto points = forecast(model, steps, 0.90);

    return write_output_file(
        output_path,
        [&](std::ostream& out) {
            out << "seconds_ahead,forecast,lower,upper\n";
            for (std::size_t h = 0; h < points.size(); ++h)
                out << double(h + 1) * step << ',' << points[h].mean << ',' << points[h].lower
                    << ',' << points[h].upper << '\n';
        },
        err);
}

}  // namespace agentmon::analytics
