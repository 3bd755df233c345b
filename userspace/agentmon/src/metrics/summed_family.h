#pragma once
// One family's samples summed per label set, then admitted through a series budget
// in label order (so which sets a full budget keeps does not depend on the order
// they were added in) and emitted sorted by labels: samples folded into one
// overflow series add up. Families the table does not budget are emitted as added.
#include <prometheus/metric_family.h>

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "kernel/socket_reading.h"
#include "metrics/family_table.h"
#include "metrics/series_budget.h"
#include "metrics/snapshot.h"

namespace agentmon {

// The label set `labels` is exported under: admitted through `budget` when the
// table budgets `family`, else itself.
LabelSet admitted_labels(Family family, const LabelSet& labels, SeriesBudget& budget);

// A Prometheus histogram sample from kernel slots: slot i counts values in
// (bounds[i-1], bounds[i]], the slots after the last bound the rest. Prometheus
// buckets are cumulative and +Inf is the total, whichever slot the kernel used for
// "above every bound". `sum` is already in the family's unit.
prometheus::ClientMetric histogram_metric(const LabelSet& labels,
                                          std::span<const std::uint64_t> slots, double sum,
                                          const std::vector<double>& bounds);

// Counter or gauge samples.
class SummedValues {
  public:
    explicit SummedValues(Family family) : family_(family) {}

    void add(const LabelSet& labels, double value) { values_[labels] += value; }
    bool empty() const { return values_.empty(); }
    void emit(SnapshotBuilder& out, SeriesBudget& budget) const;

  private:
    Family family_;
    std::map<LabelSet, double> values_;
};

// Histograms from the kernel's slots, summed slot by slot.
class SummedHistograms {
  public:
    explicit SummedHistograms(Family family) : family_(family) {}

    void add(const LabelSet& labels, const HistogramReading& h);
    bool empty() const { return values_.empty(); }
    // `bounds`: the family's `le` bounds; `sum_scale` turns the kernel's sum unit
    // into the family's (ns -> seconds).
    void emit(SnapshotBuilder& out, SeriesBudget& budget, const std::vector<double>& bounds,
              double sum_scale) const;

  private:
    Family family_;
    std::map<LabelSet, HistogramReading> values_;
};

}  // namespace agentmon
