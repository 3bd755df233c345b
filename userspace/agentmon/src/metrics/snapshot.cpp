#include "metrics/snapshot.h"

namespace agentmon {

prometheus::MetricType prometheus_type(FamilyType type) {
    switch (type) {
        case FamilyType::counter:
            return prometheus::MetricType::Counter;
        case FamilyType::gauge:
            return prometheus::MetricType::Gauge;
        case FamilyType::histogram:
            return prometheus::MetricType::Histogram;
    }
    return prometheus::MetricType::Untyped;
}

prometheus::MetricFamily& SnapshotBuilder::family(Family family) {
    const FamilySpec& s = spec(family);
    for (auto& f : families_)
        if (f.name == s.name) return f;
    families_.push_back(prometheus::MetricFamily{
        std::string(s.name), std::string(s.help), prometheus_type(s.type), {}});
    return families_.back();
}

void SnapshotBuilder::add_sample(prometheus::MetricFamily& family, double value,
                                 const Labels& labels) {
    prometheus::ClientMetric metric;
    for (const auto& [key, label_value] : labels) metric.label.push_back({key, label_value});
    switch (family.type) {
        case prometheus::MetricType::Counter:
            metric.counter.value = value;
            break;
        case prometheus::MetricType::Gauge:
            metric.gauge.value = value;
            break;
        default:
            metric.untyped.value = value;
    }
    family.metric.push_back(std::move(metric));
}

void SnapshotBuilder::add(Family family, double value, const Labels& labels) {
    add_sample(this->family(family), value, labels);
}

Snapshot SnapshotBuilder::build() && {
    // A family without samples (e.g. no BPF programs loaded yet) is left out:
    // exposition of a bare # TYPE line is legal but confuses dashboards' absent().
    std::erase_if(families_, [](const prometheus::MetricFamily& f) { return f.metric.empty(); });
    return Snapshot{std::move(families_), std::chrono::system_clock::now()};
}

}  // namespace agentmon
