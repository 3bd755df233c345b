#pragma once
// Reading and writing the `timestamp,value` CSV of `agentmon analyze`. The
// text of each timestamp and value is kept as read, so the output repeats the
// input exactly and only adds columns.
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace agentmon::analytics {

struct SeriesRow {
    std::string timestamp_text;
    std::string value_text;
    double timestamp_seconds = 0.0;
    double value = 0.0;
};

struct CsvError {
    std::size_t line = 0;  // 1-based line of the file
    std::string message;
};

// Seconds since 1970-01-01 00:00:00 (no time zone: the series' own clock) of
// "YYYY-MM-DD HH:MM:SS" (a 'T' separator and fractional seconds are accepted).
std::optional<double> parse_timestamp(const std::string& text);

// Reads the whole series. Tolerates CRLF line ends, a missing final newline and
// blank lines; rejects a wrong header, a bad timestamp or value, a timestamp
// earlier than the one before it. On error, `error` names the line.
std::optional<std::vector<SeriesRow>> read_series_csv(std::istream& in, CsvError& error);

// Writes `timestamp,value,<score_column>` with one row per input row.
void write_scored_csv(std::ostream& out, const std::vector<SeriesRow>& rows,
                      const std::vector<double>& scores, const std::string& score_column);

}  // namespace agentmon::analytics
