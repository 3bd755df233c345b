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

void PublishedSnapshot::render(const Rendered& r) {
    std::call_once(r.once, [&] {
        r.text.reserve(1 << 16);
        append_text_exposition(r.snapshot.families, r.text);
    });
}

std::shared_ptr<const std::string> PublishedSnapshot::text() const {
    std::shared_ptr<const Rendered> last = this->last();
    render(*last);
    // Aliasing: the text lives as long as any scrape still sends it.
    return {last, &last->text};
}

std::shared_ptr<const DeflatedText> PublishedSnapshot::deflated() const {
    std::shared_ptr<const Rendered> last = this->last();
    render(*last);
    std::call_once(last->once_deflated, [&] { last->deflated = deflate_final(last->text); });
    if (!last->deflated) return nullptr;
    return {last, &*last->deflated};
}

std::shared_ptr<const std::string> PublishedSnapshot::openmetrics(
    const ExemplarStore* exemplars) const {
    auto last = this->last();
    std::call_once(last->openmetrics_once, [&] {
        append_openmetrics(last->openmetrics, last->snapshot.families, exemplars);
    });
    return {last, &last->openmetrics};
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
    if (is_openmetrics(format)) {
        // Rendered once per snapshot like the text; compressed per scrape, since
        // Prometheus asks for OpenMetrics and its exemplars are in the body.
        append_openmetrics(own, registry_->Collect());
        body.head = std::move(own);
        body.shared = snapshot_.openmetrics(exemplars_.get());
        body.tail = std::string(kOpenMetricsEof);
        if (gzip) {
            if (auto compressed = gzip_compress(body.joined())) {
                body = MetricsBody{std::move(*compressed), nullptr, "", true};
            }
        }
    } else {
        append_text_exposition(registry_->Collect(), own);
        const auto deflated = gzip ? snapshot_.deflated() : nullptr;
        std::optional<GzipPieces> pieces;
        if (deflated) pieces = gzip_around(own, *deflated);
        if (pieces) {
            body.head = std::move(pieces->prefix);
            body.shared = {deflated, &deflated->deflated};
            body.tail = std::move(pieces->suffix);
            body.gzip = true;
        } else {
            body.head = std::move(own);
            body.shared = snapshot_.text();
        }
    }
    scrape_duration_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return body;
}

}  // namespace agentmon
