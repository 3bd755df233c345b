#include "serve/text_exposition.h"

#include <prometheus/text_serializer.h>

#include "metrics/exposition_primitives.h"

namespace agentmon {

namespace {

void append_number(std::string& out, double value) {
    append_exposition_number(out, value, "Nan");  // TextSerializer's spelling
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
            append_exposition_escaped(out, label.value);
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
    append_exposition_count(out, h.sample_count);
    append_tail(out, metric);
    append_head(out, family, metric, "_sum");
    append_number(out, h.sample_sum);
    append_tail(out, metric);
    double last = -std::numeric_limits<double>::infinity();
    for (const auto& bucket : h.bucket) {
        append_head(out, family, metric, "_bucket", &bucket.upper_bound);
        last = bucket.upper_bound;
        append_exposition_count(out, bucket.cumulative_count);
        append_tail(out, metric);
    }
    if (last != std::numeric_limits<double>::infinity()) {
        const double inf = std::numeric_limits<double>::infinity();
        append_head(out, family, metric, "_bucket", &inf);
        append_exposition_count(out, h.sample_count);
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
