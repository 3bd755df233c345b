#include "analytics/capacity_query_range.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace agentmon::analytics {

std::optional<double> parse_span_seconds(std::string_view text) {
    if (text.size() < 2) return std::nullopt;
    long count = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, count);
    if (ec != std::errc() || end != text.data() + text.size() - 1 || count <= 0)
        return std::nullopt;
    switch (text.back()) {
        case 's':
            return double(count);
        case 'm':
            return count * 60.0;
        case 'h':
            return count * 3600.0;
        case 'd':
            return count * 86400.0;
        case 'w':
            return count * 7 * 86400.0;
        default:
            return std::nullopt;
    }
}

namespace {

// Adds one series' samples onto the grid; seen marks the samples it had.
void add_series(const nlohmann::json& values, const SampleGrid& grid, std::vector<double>& sum,
                std::vector<bool>& seen) {
    for (const auto& pair : values) {
        double t = pair.at(0).get<double>();
        double v = std::stod(pair.at(1).get<std::string>());
        if (!std::isfinite(v)) continue;
        double index = std::round((t - grid.start) / grid.step);
        if (index < 0 || index >= double(grid.samples)) continue;
        sum[size_t(index)] += v;
        seen[size_t(index)] = true;
    }
}

}  // namespace

QueryRangeAnswer parse_query_range(const std::string& body, const SampleGrid& grid) {
    QueryRangeAnswer answer;
    try {
        auto j = nlohmann::json::parse(body);
        if (j.value("status", "") != "success") {
            answer.error = j.value("errorType", "error") + ": " + j.value("error", "no message");
            return answer;
        }
        const auto& data = j.at("data");
        if (data.at("resultType") != "matrix") {
            answer.error = "expected a matrix, got " + data.at("resultType").dump();
            return answer;
        }
        std::vector<double> sum(grid.samples, 0.0);
        std::vector<bool> seen(grid.samples, false);
        for (const auto& series : data.at("result"))
            add_series(series.at("values"), grid, sum, seen);
        size_t first = 0;
        while (first < grid.samples && !seen[first]) ++first;
        if (first == grid.samples) return answer;  // matched nothing: the caller falls back
        for (size_t i = 0; i < grid.samples; ++i) {
            if (seen[i]) continue;
            sum[i] = i < first ? sum[first] : sum[i - 1];
        }
        answer.values = std::move(sum);
    } catch (const std::exception& e) {
        // nlohmann throws on malformed JSON or a missing field, std::stod on a bad number.
        answer.error = std::string("not a Prometheus query_range answer: ") + e.what();
    }
    return answer;
}

}  // namespace agentmon::analytics
