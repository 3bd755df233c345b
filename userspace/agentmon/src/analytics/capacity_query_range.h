#pragma once
// Reading Prometheus' /api/v1/query_range answers into evenly spaced series,
// and the durations ("7d", "5m") the capacity command takes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentmon::analytics {

// Seconds in "90s", "5m", "2h", "7d", "1w" (one integer and one unit).
std::optional<double> parse_span_seconds(std::string_view text);

// The grid a query_range covers: samples at start, start + step, ...
struct SampleGrid {
    double start = 0;
    double step = 300;
    size_t samples = 0;
};

struct QueryRangeAnswer {
    std::vector<double> values;  // one per grid sample; empty when the query matched nothing
    std::string error;           // set when the answer is not a successful matrix
};

// Parses a query_range body onto grid. Several series are summed per sample
// (the capacity queries aggregate already; this keeps a stray label harmless).
// Samples missing from the answer (scrape gaps, NaN) take the previous
// sample's value, leading ones the first value seen.
QueryRangeAnswer parse_query_range(const std::string& body, const SampleGrid& grid);

}  // namespace agentmon::analytics
