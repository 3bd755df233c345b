#pragma once
// What /metrics serves: agentmon's self metrics (a prometheus-cpp Registry, updated
// lock-free by the loop and the HTTP threads) plus the last published Snapshot.
// Rendering copies the snapshot under a short mutex and never touches the kernel.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "metrics/exemplar_store.h"
#include "metrics/snapshot.h"
#include "serve/exposition_format.h"

namespace agentmon {

struct BuildInfo {
    std::string version;
    std::string commit;
    std::string libbpf_version;
    std::string kernel;
};

BuildInfo current_build_info();

// The last published snapshot and its text, rendered once: by the first scrape
// after a publish, not by the collection tick (a tick comes every second, a scrape
// every 15 s or so), and shared by every scrape that reads the same snapshot. A
// scrape used to copy all of the snapshot's families and serialise them anew: with
// ten concurrent scrapers that was ten copies of every series in memory at once.
class PublishedSnapshot {
  public:
    void publish(Snapshot snapshot);
    // The text of the last snapshot, in the text exposition format 0.0.4.
    std::shared_ptr<const std::string> text() const;
    // The same in OpenMetrics text, without "# EOF", with the exemplars `exemplars`
    // holds (may be null) when it is first rendered: at most a tick old.
    std::shared_ptr<const std::string> openmetrics(const ExemplarStore* exemplars) const;

  private:
    struct Rendered {
        Snapshot snapshot;
        mutable std::once_flag once, openmetrics_once;
        mutable std::string text, openmetrics;
    };
    std::shared_ptr<const Rendered> last() const;
    mutable std::mutex mutex_;
    std::shared_ptr<const Rendered> last_ = std::make_shared<const Rendered>();
};

class Exporter {
  public:
    // `exemplars`: the store whose exemplars the OpenMetrics exposition shows;
    // null for none.
    explicit Exporter(const BuildInfo& build,
                      std::shared_ptr<const ExemplarStore> exemplars = nullptr);

    // Collection thread. `all_ticked`: every collector has completed a tick;
    // /readyz answers 200 from the first publish that says so.
    void publish(Snapshot snapshot, double collection_seconds, bool all_ticked = true);
    void count_collector_error(const std::string& collector);

    // HTTP threads.
    std::string render_metrics(Exposition format = Exposition::text_0_0_4);
    bool ready() const { return ready_.load(); }

  private:
    std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
    PublishedSnapshot snapshot_;
    std::shared_ptr<const ExemplarStore> exemplars_;
    prometheus::Histogram& collection_duration_;
    prometheus::Counter& collections_;
    prometheus::Family<prometheus::Counter>& collector_errors_;
    prometheus::Histogram& scrape_duration_;
    std::atomic<bool> ready_{false};
};

}  // namespace agentmon
