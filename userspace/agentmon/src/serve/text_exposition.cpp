#include "serve/text_exposition.h"

#include <prometheus/text_serializer.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace agentmon {

namespace {

// As an ostream with precision max_digits10 - 1 in the classic locale writes it
// (printf's %.16g), with TextSerializer's names for NaN and the infinities.
void append_number(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "Nan";
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

void append_integer(std::string& out, std::uint64_t value) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out.append(buf, end);
}

void append_escaped(std::string& out, const std::string& value) {
    for (char c : value) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\\' || c == '"') out += '\\';
        out += c;
    }
}

// The name, suffix and labels of one line, and the space before its value. `le`
// (a bucket's bound) is appended as the last label when given.
void append_head(std::string& out, const prometheus::MetricFamily& family,
                 const prometheus::ClientMetric& metric, const char* suffix = "",
                 const double* le = nullptr) {
    out += family.name;
    out += suffix;
    if (!metric.label.empty() || le) {
        out += '{';
        const char* prefix = "";
        for (const auto& label : metric.label) {
            out += prefix;
            out += label.name;
            out += "=\"";
            append_escaped(out, label.value);
            out += '"';
            prefix = ",";
        }
        if (le) {
            out += prefix;
            out += "le=\"";
            append_number(out, *le);
            out += '"';
        }
        out += '}';
    }
    out += ' ';
}

void append_tail(std::string& out, const prometheus::ClientMetric& metric) {
    if (metric.timestamp_ms != 0) {
        out += ' ';
        out += std::to_string(metric.timestamp_ms);
    }
    out += '\n';
}

void append_histogram(std::string& out, const prometheus::MetricFamily& family,
                      const prometheus::ClientMetric& metric) {
    const auto& h = metric.histogram;
    append_head(out, family, metric, "_count");
    append_integer(out, h.sample_count);
    append_tail(out, metric);
    append_head(out, family, metric, "_sum");
    append_number(out, h.sample_sum);
    append_tail(out, metric);
    double last = -std::numeric_limits<double>::infinity();
    for (const auto& bucket : h.bucket) {
        append_head(out, family, metric, "_bucket", &bucket.upper_bound);
        last = bucket.upper_bound;
        append_integer(out, bucket.cumulative_count);
        append_tail(out, metric);
    }
    if (last != std::numeric_limits<double>::infinity()) {
        const double inf = std::numeric_limits<double>::infinity();
        append_head(out, family, metric, "_bucket", &inf);
        append_integer(out, h.sample_count);
        append_tail(out, metric);
    }
}

}  // namespace

void append_text_exposition(const std::vector<prometheus::MetricFamily>& families,
                            std::string& out) {
    for (const auto& family : families) {
        const char* type = family.type == prometheus::MetricType::Counter     ? "counter"
                           : family.type == prometheus::MetricType::Gauge     ? "gauge"
                           : family.type == prometheus::MetricType::Histogram ? "histogram"
                                                                              : nullptr;
        if (!type) {  // summaries and untyped: agentmon exports none; the library's text
            out += prometheus::TextSerializer().Serialize({family});
            continue;
        }
        if (!family.help.empty()) {
            out += "# HELP ";
            out += family.name;
            out += ' ';
            out += family.help;
            out += '\n';
        }
        out += "# TYPE ";
        out += family.name;
        out += ' ';
        out += type;
        out += '\n';
        for (const auto& metric : family.metric) {
            if (family.type == prometheus::MetricType::Histogram) {
                append_histogram(out, family, metric);
                continue;
            }
            append_head(out, family, metric);
            append_number(out, family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                                              : metric.gauge.value);
            append_tail(out, metric);
        }
    }
}

}  // namespace agentmon
