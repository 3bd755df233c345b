#include "serve/exporter.h"

#include <bpf/libbpf.h>
#include <prometheus/gauge.h>
#include <sys/utsname.h>

#include <chrono>

#include "base/version.h"
#include "base/version_string.h"
#include "metrics/openmetrics_text.h"
#include "serve/text_exposition.h"

namespace agentmon {

BuildInfo current_build_info() {
    utsname uts{};
    uname(&uts);
    return BuildInfo{
        kVersion, commit_from_describe(kGitDescribe),
        std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version()),
        uts.release};
}

void PublishedSnapshot::publish(Snapshot snapshot) {
    auto next = std::make_shared<Rendered>();
    next->snapshot = std::move(snapshot);
    std::lock_guard lock(mutex_);
    last_ = std::move(next);
}

std::shared_ptr<const PublishedSnapshot::Rendered> PublishedSnapshot::last() const {
    std::lock_guard lock(mutex_);
    return last_;
}

const PublishedSnapshot::Rendering& PublishedSnapshot::render(const Rendered& r, Exposition format,
                                                              const ExemplarStore* exemplars) {
    const Rendering& out = r.in(format);
    std::call_once(out.once, [&] {
        out.text.reserve(1 << 16);
        if (is_openmetrics(format)) {
            append_openmetrics(out.text, r.snapshot.families, exemplars);
            out.text += kOpenMetricsEof;
        } else {
            append_text_exposition(r.snapshot.families, out.text);
        }
    });
    return out;
}

std::shared_ptr<const std::string> PublishedSnapshot::text(Exposition format,
                                                           const ExemplarStore* exemplars) const {
    std::shared_ptr<const Rendered> last = this->last();
    const Rendering& rendering = render(*last, format, exemplars);
    // Aliasing: the text lives as long as any scrape still sends it.
    return {last, &rendering.text};
}

std::shared_ptr<const DeflatedText> PublishedSnapshot::deflated(
    Exposition format, const ExemplarStore* exemplars) const {
    std::shared_ptr<const Rendered> last = this->last();
    const Rendering& rendering = render(*last, format, exemplars);
    std::call_once(rendering.once_deflated,
                   [&] { rendering.deflated = deflate_final(rendering.text); });
    if (!rendering.deflated) return nullptr;
    return {last, &*rendering.deflated};
}

namespace {

// Collection and scrape durations: 100 µs (a /proc read) to 10 s (a stuck map read).
const prometheus::Histogram::BucketBoundaries kDurationBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

// prometheus-cpp's builder for `family`, named and described by the family table.
template <class Builder>
Builder& described(Builder&& builder, Family family) {
    const FamilySpec& s = spec(family);
    return builder.Name(std::string(s.name)).Help(std::string(s.help));
}

}  // namespace

Exporter::Exporter(const BuildInfo& build, std::shared_ptr<const ExemplarStore> exemplars)
    : exemplars_(std::move(exemplars)),
      collection_duration_(
          described(prometheus::BuildHistogram(), Family::agentmon_collection_duration_seconds)
              .Register(*registry_)
              .Add({}, kDurationBuckets)),
      collections_(described(prometheus::BuildCounter(), Family::agentmon_collections_total)
                       .Register(*registry_)
                       .Add({})),
      collector_errors_(
          described(prometheus::BuildCounter(), Family::agentmon_collector_errors_total)
              .Register(*registry_)),
      scrape_duration_(
          described(prometheus::BuildHistogram(), Family::agentmon_scrape_duration_seconds)
              .Register(*registry_)
              .Add({}, kDurationBuckets)) {
    described(prometheus::BuildGauge(), Family::agentmon_build_info)
        .Register(*registry_)
        .Add({{"version", build.version},
              {"commit", build.commit},
              {"libbpf_version", build.libbpf_version},
              {"kernel", build.kernel}})
        .Set(1);
}

void Exporter::publish(Snapshot snapshot, double collection_seconds, bool all_ticked) {
    snapshot_.publish(std::move(snapshot));
    collection_duration_.Observe(collection_seconds);
    collections_.Increment();
    if (all_ticked) ready_.store(true);
}

void Exporter::count_collector_error(const std::string& collector) {
    collector_errors_.Add({{"collector", collector}}).Increment();
}

MetricsBody Exporter::metrics_body(Exposition format, bool gzip) {
    const auto start = std::chrono::steady_clock::now();
    // agentmon's own few families first, then the tick's: both in exposition order,
    // and no family appears in both.
    MetricsBody body;
    std::string own;
    if (is_openmetrics(format))
        append_openmetrics(own, registry_->Collect());
    else
        append_text_exposition(registry_->Collect(), own);
    const auto deflated = gzip ? snapshot_.deflated(format, exemplars_.get()) : nullptr;
    std::optional<GzipPieces> pieces;
    if (deflated) pieces = gzip_around(own, *deflated);
    if (pieces) {
        body.head = std::move(pieces->prefix);
        body.shared = {deflated, &deflated->deflated};
        body.tail = std::move(pieces->suffix);
        body.gzip = true;
    } else {
        body.head = std::move(own);
        body.shared = snapshot_.text(format, exemplars_.get());
    }
    scrape_duration_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return body;
}

}  // namespace agentmon
