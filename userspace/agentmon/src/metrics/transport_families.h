#pragma once
// Pieces every transport collector (socket path, ring path) builds its families
// with: sums per label set admitted through the shared series budget, and the
// transport counters' dense label index. The collectors append to the same
// families (SnapshotBuilder::family finds them by name), each with its carriers.
#include <prometheus/metric_family.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/socket_reading.h"
#include "metrics/series_budget.h"
#include "metrics/snapshot.h"

namespace agentmon {

// The transport counters' label space as a dense index: agent types (0..28),
// msg_type (1..15, 0 for any other value), priority (0..5, 6 for any other),
// carrier, direction.
inline constexpr std::uint64_t kTransportMsgTypeKeys = 16, kTransportPriorityKeys = 7;
inline constexpr std::uint64_t kTransportLabelKeys =
    std::uint64_t{AGENT_TYPE_SLOTS} * AGENT_TYPE_SLOTS * kTransportMsgTypeKeys *
    kTransportPriorityKeys * CARRIER_COUNT * DIR_COUNT;

std::string str(std::string_view s);

// A frame's position in the transport label space (kTransportLabelKeys): agent
// types 0..28, msg_type, priority, carrier, direction.
std::uint64_t label_key(std::uint32_t source_type, std::uint32_t target_type,
                        std::uint32_t msg_type, std::uint32_t priority, std::uint32_t carrier,
                        std::uint32_t direction);
// The label set of a label_key.
LabelSet transport_labels(std::uint64_t key);

// Sums values that land on one label set, then admits each label set through the
// budget in label order (so which sets a full budget keeps does not depend on map
// iteration order) and emits the result sorted by labels.
class Summed {
  public:
    void add(const LabelSet& labels, double value) { values_[labels] += value; }

    void emit(SnapshotBuilder& out, SeriesBudget& budget, const std::string& name,
              const std::string& help, prometheus::MetricType type) const {
        std::map<LabelSet, double> admitted;
        for (const auto& [labels, value] : values_) admitted[budget.admit(name, labels)] += value;
        auto& family = out.family(name, help, type);
        for (const auto& [labels, value] : admitted)
            SnapshotBuilder::add_sample(family, value, labels);
    }

  private:
    std::map<LabelSet, double> values_;
};

// Histograms summed the same way, bucket by bucket.
class SummedHistograms {
  public:
    void add(const LabelSet& labels, const HistogramReading& h) {
        HistogramReading& into = values_[labels];
        for (std::size_t i = 0; i < h.buckets.size(); ++i) into.buckets[i] += h.buckets[i];
        into.sum += h.sum;
    }

    // `sum_scale` turns the kernel's sum unit into the family's (ns -> seconds).
    void emit(SnapshotBuilder& out, SeriesBudget& budget, const std::string& name,
              const std::string& help, const std::vector<double>& bounds, double sum_scale) const {
        SummedHistograms admitted;
        for (const auto& [labels, h] : values_) admitted.add(budget.admit(name, labels), h);
        auto& family = out.family(name, help, prometheus::MetricType::Histogram);
        for (const auto& [labels, h] : admitted.values_)
            family.metric.push_back(client_metric(labels, h, bounds, sum_scale));
    }

  private:
    static prometheus::ClientMetric client_metric(const LabelSet& labels, const HistogramReading& h,
                                                  const std::vector<double>& bounds,
                                                  double sum_scale) {
        prometheus::ClientMetric metric;
        for (const auto& [key, value] : labels) metric.label.push_back({key, value});
        // Kernel slot i counts values in (bounds[i-1], bounds[i]]; the slot after the
        // last bound counts the rest. Prometheus buckets are cumulative, and +Inf is
        // the total, whichever slot the kernel used for "above every bound".
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < bounds.size() && i < h.buckets.size(); ++i) {
            cumulative += h.buckets[i];
            metric.histogram.bucket.push_back({cumulative, bounds[i]});
        }
        metric.histogram.sample_count = h.count();
        metric.histogram.bucket.push_back(
            {metric.histogram.sample_count, std::numeric_limits<double>::infinity()});
        metric.histogram.sample_sum = static_cast<double>(h.sum) * sum_scale;
        return metric;
    }

    std::map<LabelSet, HistogramReading> values_;
};

}  // namespace agentmon
