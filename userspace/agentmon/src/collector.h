#pragma once
// The seam later stages plug into: a Collector reads its BPF maps (or /proc) once
// per tick and appends metric families to the tick's snapshot. The loop owns the
// collectors; /metrics only ever serves the last complete snapshot.
#include <prometheus/metric_family.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

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

// A loaded BPF program whose run-time statistics the loop exports as
// agentmon_bpf_program_{run_time_seconds,runs}_total{program}.
struct BpfProgramRef {
    std::string name;
    int fd = -1;  // owned by the collector that loaded it
};

class Collector {
  public:
    virtual ~Collector() = default;
    virtual std::string_view name() const = 0;
    // Called from the collection thread once per tick; must not block for long.
    virtual Status collect(SnapshotBuilder& out) = 0;
    // Programs this collector keeps loaded (empty for /proc-only collectors).
    virtual std::vector<BpfProgramRef> programs() const { return {}; }
};

}  // namespace agentmon
