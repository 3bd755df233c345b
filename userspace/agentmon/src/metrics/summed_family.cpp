#include "metrics/summed_family.h"

#include <limits>

namespace agentmon {

namespace {

void add_slots(HistogramReading& into, const HistogramReading& h) {
    for (std::size_t i = 0; i < h.buckets.size(); ++i) into.buckets[i] += h.buckets[i];
    into.sum += h.sum;
}

}  // namespace

LabelSet admitted_labels(Family family, const LabelSet& labels, SeriesBudget& budget) {
    const FamilySpec& s = spec(family);
    return s.budget == FamilyBudget::none ? labels : budget.admit(s.name, labels);
}

prometheus::ClientMetric histogram_metric(const LabelSet& labels,
                                          std::span<const std::uint64_t> slots, double sum,
                                          const std::vector<double>& bounds) {
    prometheus::ClientMetric metric;
    for (const auto& [key, value] : labels) metric.label.push_back({key, value});
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size() && i < slots.size(); ++i) {
        cumulative += slots[i];
        metric.histogram.bucket.push_back({cumulative, bounds[i]});
    }
    std::uint64_t total = 0;
    for (std::uint64_t n : slots) total += n;
    metric.histogram.sample_count = total;
    metric.histogram.bucket.push_back({total, std::numeric_limits<double>::infinity()});
    metric.histogram.sample_sum = sum;
    return metric;
}

void SummedValues::emit(SnapshotBuilder& out, SeriesBudget& budget) const {
    std::map<LabelSet, double> admitted;
    for (const auto& [labels, value] : values_)
        admitted[admitted_labels(family_, labels, budget)] += value;
    auto& family = out.family(family_);
    for (const auto& [labels, value] : admitted) SnapshotBuilder::add_sample(family, value, labels);
}

void SummedHistograms::add(const LabelSet& labels, const HistogramReading& h) {
    add_slots(values_[labels], h);
}

void SummedHistograms::emit(SnapshotBuilder& out, SeriesBudget& budget,
                            const std::vector<double>& bounds, double sum_scale) const {
    std::map<LabelSet, HistogramReading> admitted;
    for (const auto& [labels, h] : values_)
        add_slots(admitted[admitted_labels(family_, labels, budget)], h);
    auto& family = out.family(family_);
    for (const auto& [labels, h] : admitted)
        family.metric.push_back(
            histogram_metric(labels, h.buckets, static_cast<double>(h.sum) * sum_scale, bounds));
}

}  // namespace agentmon
