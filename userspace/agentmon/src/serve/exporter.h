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
#include <optional>
#include <string>

#include "metrics/exemplar_store.h"
#include "metrics/snapshot.h"
#include "serve/exposition_format.h"
#include "serve/gzip_encoding.h"

namespace agentmon {

struct BuildInfo {
    std::string version;
    std::string commit;
    std::string libbpf_version;
    std::string kernel;
};

BuildInfo current_build_info();

// The last published snapshot and its text, rendered once per format: by the
// first scrape after a publish that asks for that format, not by the collection
// tick (a tick comes every second, a scrape every 5 s or so), and shared by every
// scrape that reads the same snapshot. A scrape used to copy all of the snapshot's
// families and serialise them anew: with ten concurrent scrapers that was ten
// copies of every series in memory at once. The gzip-compressed text is made the
// same way, once per snapshot and format, by the first scrape that asks for gzip.
class PublishedSnapshot {
  public:
    void publish(Snapshot snapshot);
    // The last snapshot's text in `format`: text 0.0.4, or OpenMetrics ending with
    // "# EOF" and carrying the exemplars `exemplars` holds (may be null) when it is
    // first rendered, so at most a tick old.
    std::shared_ptr<const std::string> text(Exposition format = Exposition::text_0_0_4,
                                            const ExemplarStore* exemplars = nullptr) const;
    // The same text deflated (deflate_final); null when zlib failed.
    std::shared_ptr<const DeflatedText> deflated(Exposition format,
                                                 const ExemplarStore* exemplars) const;

  private:
    // One format's text of a snapshot and its deflate, each made at most once.
    struct Rendering {
        mutable std::once_flag once, once_deflated;
        mutable std::string text;
        mutable std::optional<DeflatedText> deflated;
    };
    struct Rendered {
        Snapshot snapshot;
        Rendering text_0_0_4, openmetrics;
        const Rendering& in(Exposition format) const {
            return is_openmetrics(format) ? openmetrics : text_0_0_4;
        }
    };
    std::shared_ptr<const Rendered> last() const;
    static const Rendering& render(const Rendered& r, Exposition format,
                                   const ExemplarStore* exemplars);

    mutable std::mutex mutex_;
    std::shared_ptr<const Rendered> last_ = std::make_shared<const Rendered>();
};

// The body of one /metrics reply, in pieces sent one after the other: agentmon's
// own few families rendered for this scrape (`head`), then the snapshot's text
// shared with every other scrape of it (never copied), then `tail`. Gzip-encoded,
// head holds the gzip header and the compressed own families, shared the
// snapshot's deflated text and tail the gzip trailer.
struct MetricsBody {
    std::string head;
    std::shared_ptr<const std::string> shared;
    std::string tail;
    bool gzip = false;
    std::string joined() const { return head + (shared ? *shared : std::string()) + tail; }
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

    // HTTP threads. In `format`; gzip-encoded when `gzip` and zlib did not fail.
    MetricsBody metrics_body(Exposition format, bool gzip);
    // The text, in one string.
    std::string render_metrics(Exposition format = Exposition::text_0_0_4) {
        return metrics_body(format, false).joined();
    }
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
