#include "analytics/timeseries_csv.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace agentmon::analytics {

namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (Howard Hinnant's days_from_civil).
long days_from_civil(long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

std::string trim(const std::string& text) {
    std::size_t begin = text.find_first_not_of(" \t\r");
    if (begin == std::string::npos) return "";
    std::size_t end = text.find_last_not_of(" \t\r");
    return text.substr(begin, end - begin + 1);
}

std::optional<double> parse_finite(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

}  // namespace

std::optional<double> parse_timestamp(const std::string& text) {
    int y, mo, d, h, mi, consumed = 0;
    double s;
    if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T')) return std::nullopt;
    std::string normal = text;
    normal[10] = ' ';
    if (std::sscanf(normal.c_str(), "%4d-%2d-%2d %2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &s,
                    &consumed) != 6 ||
        static_cast<std::size_t>(consumed) != normal.size())
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s < 0 || s >= 61)
        return std::nullopt;
    return static_cast<double>(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

std::optional<std::vector<SeriesRow>> read_series_csv(std::istream& in, CsvError& error) {
    std::vector<SeriesRow> rows;
    std::string line;
    std::size_t number = 0;
    bool header_seen = false;
    while (std::getline(in, line)) {
        ++number;
        std::string content = trim(line);
        if (content.empty()) continue;
        if (!header_seen) {
            if (number == 1 && content.size() >= 3 && content.compare(0, 3, "\xEF\xBB\xBF") == 0)
                content = trim(content.substr(3));  // a byte-order mark from spreadsheets
            if (content != "timestamp,value") {
                error = {number, "the header must be \"timestamp,value\", got \"" + content + "\""};
                return std::nullopt;
            }
            header_seen = true;
            continue;
        }
        std::size_t comma = content.find(',');
        if (comma == std::string::npos || content.find(',', comma + 1) != std::string::npos) {
            error = {number, "expected two fields \"timestamp,value\", got \"" + content + "\""};
            return std::nullopt;
        }
        SeriesRow row{trim(content.substr(0, comma)), trim(content.substr(comma + 1))};
        auto ts = parse_timestamp(row.timestamp_text);
        if (!ts) {
            error = {number,
                     "\"" + row.timestamp_text + "\" is not a timestamp like 2024-01-31 13:05:00"};
            return std::nullopt;
        }
        auto value = parse_finite(row.value_text);
        if (!value) {
            error = {number, "\"" + row.value_text + "\" is not a finite number"};
            return std::nullopt;
        }
        if (!rows.empty() && *ts < rows.back().timestamp_seconds) {
            error = {number, "timestamp " + row.timestamp_text + " is earlier than the row before"};
            return std::nullopt;
        }
        row.timestamp_seconds = *ts;
        row.value = *value;
        rows.push_back(std::move(row));
    }
    if (!header_seen) {
        error = {1, "the file is empty; expected the header \"timestamp,value\""};
        return std::nullopt;
    }
    return rows;
}

void write_scored_csv(std::ostream& out, const std::vector<SeriesRow>& rows,
                      const std::vector<double>& scores, const std::string& score_column) {
    out << "timestamp,value," << score_column << '\n';
    char buffer[32];
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::snprintf(buffer, sizeof buffer, "%.6f", scores[i]);
        out << rows[i].timestamp_text << ',' << rows[i].value_text << ',' << buffer << '\n';
    }
}

}  // namespace agentmon::analytics
