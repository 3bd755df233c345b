#pragma once
// What one collection tick produces: an immutable set of metric families, and the
// builder collectors append to. /metrics only ever serves the last complete one.
// Families are named by their handle in the family table, which gives the name,
// type and HELP text.
#include <prometheus/metric_family.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "metrics/family_table.h"

namespace agentmon {

// An immutable set of metric families built by one collection tick.
struct Snapshot {
    std::vector<prometheus::MetricFamily> families;
    std::chrono::system_clock::time_point taken{};
};

prometheus::MetricType prometheus_type(FamilyType type);

// Appends families to a snapshot under construction.
class SnapshotBuilder {
  public:
    using Labels = std::map<std::string, std::string>;

    // One sample of a counter or gauge family.
    void add(Family family, double value, const Labels& labels = {});
    // The family under construction, created empty the first time.
    prometheus::MetricFamily& family(Family family);
    static void add_sample(prometheus::MetricFamily& family, double value, const Labels& labels);

    Snapshot build() &&;

  private:
    std::vector<prometheus::MetricFamily> families_;
};

}  // namespace agentmon
