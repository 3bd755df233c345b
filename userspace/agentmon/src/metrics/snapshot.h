#pragma once
// What one collection tick produces: an immutable set of metric families, and the
// builder collectors append to. /metrics only ever serves the last complete one.
#include <prometheus/metric_family.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace agentmon {

// An immutable set of metric families built by one collection tick.
struct Snapshot {
    std::vector<prometheus::MetricFamily> families;
    std::chrono::system_clock::time_point taken{};
};

// Appends families to a snapshot under construction.
class SnapshotBuilder {
  public:
    using Labels = std::map<std::string, std::string>;

    void gauge(const std::string& name, const std::string& help, double value,
               const Labels& labels = {});
    void counter(const std::string& name, const std::string& help, double value,
                 const Labels& labels = {});
    // A family with one sample per entry of `samples` (same labels keys).
    prometheus::MetricFamily& family(const std::string& name, const std::string& help,
                                     prometheus::MetricType type);
    static void add_sample(prometheus::MetricFamily& family, double value, const Labels& labels);

    Snapshot build() &&;

  private:
    std::vector<prometheus::MetricFamily> families_;
};

}  // namespace agentmon
