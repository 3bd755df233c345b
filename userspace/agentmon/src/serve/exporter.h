#pragma once
// What /metrics serves: agentmon's self metrics (a prometheus-cpp Registry, updated
// lock-free by the loop and the HTTP threads) plus the last published Snapshot.
// Rendering copies the snapshot under a short mutex and never touches the kernel.
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "metrics/snapshot.h"

namespace agentmon {

struct BuildInfo {
    std::string version;
    std::string commit;
    std::string libbpf_version;
    std::string kernel;
};

BuildInfo current_build_info();

// Serves the last snapshot as a prometheus::Collectable.
class SnapshotCollectable : public prometheus::Collectable {
  public:
    void publish(Snapshot snapshot);
    std::vector<prometheus::MetricFamily> Collect() const override;

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Snapshot> last_ = std::make_shared<const Snapshot>();
};

class Exporter {
  public:
    explicit Exporter(const BuildInfo& build);

    // Collection thread. `all_ticked`: every collector has completed a tick;
    // /readyz answers 200 from the first publish that says so.
    void publish(Snapshot snapshot, double collection_seconds, bool all_ticked = true);
    void count_collector_error(const std::string& collector);

    // HTTP threads.
    std::string render_metrics();
    bool ready() const { return ready_.load(); }

  private:
    std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
    SnapshotCollectable snapshot_;
    prometheus::Histogram& collection_duration_;
    prometheus::Counter& collections_;
    prometheus::Family<prometheus::Counter>& collector_errors_;
    prometheus::Histogram& scrape_duration_;
    std::atomic<bool> ready_{false};
};

}  // namespace agentmon
