#pragma once
// Lookups into a built Snapshot for the unit tests: a family by name, a sample by
// its full label set, a counter's or gauge's value.
#include <cstddef>
#include <optional>
#include <string>

#include "metrics/label_selection.h"
#include "metrics/snapshot.h"

using namespace agentmon;

namespace {

inline const prometheus::MetricFamily* family(const Snapshot& s, const std::string& name) {
    for (const auto& f : s.families)
        if (f.name == name) return &f;
    return nullptr;
}

inline LabelSet labels_of(const prometheus::ClientMetric& m) {
    LabelSet labels;
    for (const auto& l : m.label) labels[l.name] = l.value;
    return labels;
}

inline const prometheus::ClientMetric* sample(const Snapshot& s, const std::string& name,
                                              const LabelSet& labels) {
    const auto* f = family(s, name);
    if (!f) return nullptr;
    for (const auto& m : f->metric)
        if (labels_of(m) == labels) return &m;
    return nullptr;
}

// The value of a counter or gauge sample; nullopt when the sample is absent.
inline std::optional<double> value(const Snapshot& s, const std::string& name,
                                   const LabelSet& labels) {
    const auto* f = family(s, name);
    const auto* m = sample(s, name, labels);
    if (!f || !m) return std::nullopt;
    return f->type == prometheus::MetricType::Gauge ? m->gauge.value : m->counter.value;
}

inline std::size_t samples(const Snapshot& s, const std::string& name) {
    const auto* f = family(s, name);
    return f ? f->metric.size() : 0;
}

}  // namespace
