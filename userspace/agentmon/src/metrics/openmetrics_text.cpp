#include "metrics/openmetrics_text.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "metrics/exposition_primitives.h"
#include "metrics/family_table.h"

namespace agentmon {

namespace {

constexpr std::string_view kTotal = "_total";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void append_number(std::string& out, double v) { append_exposition_number(out, v, "NaN"); }

// Seconds with millisecond resolution: exemplar and sample timestamps.
void append_timestamp(std::string& out, double unix_seconds) {
    char buffer[32];
    const int n = std::snprintf(buffer, sizeof(buffer), "%.3f", unix_seconds);
    out.append(buffer, static_cast<std::size_t>(n));
}

// A counter the format can state: its samples must end in "_total". One that
// does not is written as "unknown", so its series keeps its name.
bool om_counter(const prometheus::MetricFamily& f) {
    return f.type == prometheus::MetricType::Counter && ends_with(f.name, kTotal);
}

// The family's name in its metadata lines: a counter's without "_total".
std::string_view metadata_name(const prometheus::MetricFamily& f) {
    std::string_view name = f.name;
    if (om_counter(f)) name.remove_suffix(kTotal.size());
    return name;
}

// The unit the # UNIT line states, "" for none: the table's unit when the
// family's name ends in it, as the format requires.
std::string_view unit_of(const prometheus::MetricFamily& f, std::string_view name) {
    const FamilySpec* spec = find_family(f.name);
    if (spec == nullptr || spec->unit.empty()) return {};
    for (char c : spec->unit)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return {};
    if (name.size() <= spec->unit.size() || !ends_with(name, spec->unit) ||
        name[name.size() - spec->unit.size() - 1] != '_')
        return {};
    return spec->unit;
}

std::string_view type_name(const prometheus::MetricFamily& f) {
    switch (f.type) {
        case prometheus::MetricType::Counter:
            return om_counter(f) ? "counter" : "unknown";
        case prometheus::MetricType::Gauge:
            return "gauge";
        case prometheus::MetricType::Histogram:
            return "histogram";
        case prometheus::MetricType::Summary:
            return "summary";
        default:
            return "unknown";
    }
}

// name_suffix{labels[,extra="value"]}
void append_series(std::string& out, std::string_view name, std::string_view suffix,
                   const prometheus::ClientMetric& m, std::string_view extra = {},
                   std::string_view extra_value = {}) {
    out += name;
    out += suffix;
    if (m.label.empty() && extra.empty()) return;
    out += '{';
    bool first = true;
    for (const auto& label : m.label) {
        if (!first) out += ',';
        first = false;
        out += label.name;
        out += "=\"";
        append_exposition_escaped(out, label.value);
        out += '"';
    }
    if (!extra.empty()) {
        if (!first) out += ',';
        out += extra;
        out += "=\"";
        out += extra_value;
        out += '"';
    }
    out += '}';
}

void end_sample(std::string& out, const prometheus::ClientMetric& m) {
    if (m.timestamp_ms != 0) {
        out += ' ';
        append_timestamp(out, static_cast<double>(m.timestamp_ms) / 1000.0);
    }
    out += '\n';
}

void append_value_sample(std::string& out, std::string_view name, std::string_view suffix,
                         const prometheus::ClientMetric& m, double value) {
    append_series(out, name, suffix, m);
    out += ' ';
    append_number(out, value);
    end_sample(out, m);
}

void append_exemplar(std::string& out, const Exemplar& e) {
    out += " # {trace_id=\"";
    out += e.trace_id_hex;
    out += "\",span_id=\"";
    out += e.span_id_hex;
    out += "\"} ";
    append_number(out, e.value_seconds);
    out += ' ';
    append_timestamp(out, e.unix_seconds);
}

// The _count and _sum lines that close a histogram or a summary.
void append_count_and_sum(std::string& out, const prometheus::MetricFamily& f,
                          const prometheus::ClientMetric& m, std::uint64_t count, double sum) {
    append_series(out, f.name, "_count", m);
    out += ' ';
    append_exposition_count(out, count);
    end_sample(out, m);
    append_value_sample(out, f.name, "_sum", m, sum);
}

void append_histogram(std::string& out, const prometheus::MetricFamily& f,
                      const prometheus::ClientMetric& m, const ExemplarStore* exemplars) {
    std::vector<std::optional<Exemplar>> slots;
    if (exemplars != nullptr && exemplars->takes(f.name)) {
        LabelSet labels;
        for (const auto& label : m.label) labels.emplace(label.name, label.value);
        slots = exemplars->of_series(f.name, labels);
        // Bounds that differ from the store's (never, with one config) get none.
        if (slots.size() != m.histogram.bucket.size()) slots.clear();
    }
    std::string le;
    for (std::size_t i = 0; i < m.histogram.bucket.size(); ++i) {
        const auto& bucket = m.histogram.bucket[i];
        le.clear();
        append_number(le, bucket.upper_bound);
        append_series(out, f.name, "_bucket", m, "le", le);
        out += ' ';
        append_exposition_count(out, bucket.cumulative_count);
        if (i < slots.size() && slots[i]) append_exemplar(out, *slots[i]);
        end_sample(out, m);
    }
    append_count_and_sum(out, f, m, m.histogram.sample_count, m.histogram.sample_sum);
}

void append_summary(std::string& out, const prometheus::MetricFamily& f,
                    const prometheus::ClientMetric& m) {
    std::string q;
    for (const auto& quantile : m.summary.quantile) {
        q.clear();
        append_number(q, quantile.quantile);
        append_series(out, f.name, "", m, "quantile", q);
        out += ' ';
        append_number(out, quantile.value);
        end_sample(out, m);
    }
    append_count_and_sum(out, f, m, m.summary.sample_count, m.summary.sample_sum);
}

}  // namespace

void append_openmetrics(std::string& out, const std::vector<prometheus::MetricFamily>& families,
                        const ExemplarStore* exemplars) {
    for (const auto& f : families) {
        const std::string_view name = metadata_name(f);
        out += "# HELP ";
        out += name;
        out += ' ';
        append_exposition_escaped(out, f.help);
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type_name(f);
        out += '\n';
        if (const auto unit = unit_of(f, name); !unit.empty()) {
            out += "# UNIT ";
            out += name;
            out += ' ';
            out += unit;
            out += '\n';
        }
        for (const auto& m : f.metric) {
            switch (f.type) {
                case prometheus::MetricType::Counter:
                    append_value_sample(out, name, om_counter(f) ? kTotal : "", m, m.counter.value);
                    break;
                case prometheus::MetricType::Gauge:
                    append_value_sample(out, name, "", m, m.gauge.value);
                    break;
                case prometheus::MetricType::Histogram:
                    append_histogram(out, f, m, exemplars);
                    break;
                case prometheus::MetricType::Summary:
                    append_summary(out, f, m);
                    break;
                default:
                    append_value_sample(out, name, "", m, m.untyped.value);
            }
        }
    }
}

}  // namespace agentmon
