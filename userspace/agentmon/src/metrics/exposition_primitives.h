#pragma once
// The pieces both exposition writers share (serve/text_exposition for text
// 0.0.4, metrics/openmetrics_text for OpenMetrics), so a value, a count and a
// label value are spelt the same in both formats: a bucket's `le` must name the
// same series whichever format Prometheus asked for.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace agentmon {

// As printf's %.16g writes a double (what an ostream with precision
// max_digits10 - 1 writes), with the format's spelling of NaN ("Nan" in
// prometheus-cpp's text 0.0.4, "NaN" in OpenMetrics) and +Inf / -Inf.
inline void append_exposition_number(std::string& out, double value, std::string_view nan) {
    if (std::isnan(value)) {
        out += nan;
        return;
    }
    if (std::isinf(value)) {
        out += value < 0 ? "-Inf" : "+Inf";
        return;
    }
    char buf[64];
    const auto end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general,
                                   std::numeric_limits<double>::max_digits10 - 1)
                         .ptr;
    out.append(buf, end);
}

inline void append_exposition_count(std::string& out, std::uint64_t value) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out.append(buf, end);
}

// A label value (or HELP text) with '\', '"' and newline escaped.
inline void append_exposition_escaped(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\\' || c == '"') out += '\\';
        out += c;
    }
}

}  // namespace agentmon
