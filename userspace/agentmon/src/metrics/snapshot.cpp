#include "metrics/snapshot.h"

namespace agentmon {

prometheus::MetricFamily& SnapshotBuilder::family(const std::string& name, const std::string& help,
                                                  prometheus::MetricType type) {
    for (auto& f : families_)
        if (f.name == name) return f;
    families_.push_back(prometheus::MetricFamily{name, help, type, {}});
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

void SnapshotBuilder::gauge(const std::string& name, const std::string& help, double value,
                            const Labels& labels) {
    add_sample(family(name, help, prometheus::MetricType::Gauge), value, labels);
}

void SnapshotBuilder::counter(const std::string& name, const std::string& help, double value,
                              const Labels& labels) {
    add_sample(family(name, help, prometheus::MetricType::Counter), value, labels);
}

Snapshot SnapshotBuilder::build() && {
    // A family without samples (e.g. no BPF programs loaded yet) is left out:
    // exposition of a bare # TYPE line is legal but confuses dashboards' absent().
    std::erase_if(families_, [](const prometheus::MetricFamily& f) { return f.metric.empty(); });
    return Snapshot{std::move(families_), std::chrono::system_clock::now()};
}

}  // namespace agentmon
