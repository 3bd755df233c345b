#pragma once
// Exemplars for the OpenMetrics exposition: the most recent sampled span per
// (histogram family, exported label set, bucket), so a slow bucket of
// agent_transport_latency_seconds or agent_processing_time_seconds links to the
// trace of a frame that landed in it. The span reader offers every span it
// exports; the renderer reads them back, series by series, when it writes the
// family's _bucket lines (metrics/openmetrics_text.h).
//
// Bounded: at most `capacity` exemplars, the least recently offered evicted
// first, and none is shown once it is older than `max_age_seconds` (a bucket
// whose traffic stopped must not link to a trace the tracing backend has long
// dropped). Thread-safe: one mutex, held for one offer or one series' lookup.
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "metrics/label_selection.h"

namespace agentmon {

// One sampled span, as the exposition shows it:
//   ..._bucket{...,le="0.01"} 17 # {trace_id="<32 hex>",span_id="<16 hex>"} 0.0052 1733112345.123
struct Exemplar {
    std::string trace_id_hex;  // 32 lowercase hex digits, not all zero
    std::string span_id_hex;   // 16 lowercase hex digits, not all zero
    double value_seconds = 0;  // the span's duration: what the histogram observed
    double unix_seconds = 0;   // when the span ended
};

struct ExemplarStoreOptions {
    // The families that take exemplars and their increasing `le` bounds (the
    // +Inf bucket follows the last).
    std::map<std::string, std::vector<double>, std::less<>> bounds;
    // The config's "labels": an exemplar lands on the series its family exports
    // for the span's labels, after the labels the family drops are dropped.
    LabelSelection selection;
    std::size_t capacity = 4096;  // exemplars kept at most, over every family
    double max_age_seconds = 300;
};

class ExemplarStore {
  public:
    using Labels = std::vector<std::pair<std::string, std::string>>;
    using Clock = std::function<double()>;  // now, in unix seconds

    explicit ExemplarStore(ExemplarStoreOptions options, Clock now = {});

    // Remembers `e` as the latest exemplar of the bucket of `family_name` that
    // e.value_seconds falls in, on the series `labels` belong to. `labels` name
    // the family's labels (docs/metrics.md); others are ignored, and an offer that
    // lacks a label the family keeps, names a family that takes no exemplars, or
    // carries malformed ids or a value that is not a finite duration is dropped.
    void offer(std::string_view family_name, const Labels& labels, Exemplar e);

    // The exemplars of one exported series, one slot per bucket (bounds order,
    // then +Inf), each the latest offered and not expired; empty when the series
    // has none (the common case, answered without building a vector of slots).
    std::vector<std::optional<Exemplar>> of_series(std::string_view family_name,
                                                   const LabelSet& labels) const;

    // Whether `family_name` takes exemplars at all.
    bool takes(std::string_view family_name) const;
    std::size_t size() const;

  private:
    struct Family {
        std::vector<double> bounds;
        std::vector<std::string> kept;  // the labels its exported series carry
    };
    struct Entry {
        std::string series;  // series_key()
        std::size_t bucket = 0;
        Exemplar exemplar;
        double offered_at = 0;
    };
    static std::string series_key(std::string_view family, const LabelSet& labels);
    static std::string slot_key(const std::string& series, std::size_t bucket);
    void erase(std::list<Entry>::iterator entry);  // caller holds mutex_
    void expire(double now);                       // caller holds mutex_

    std::map<std::string, Family, std::less<>> families_;
    LabelSelection selection_;
    std::size_t capacity_;
    double max_age_;
    Clock now_;

    mutable std::mutex mutex_;
    std::list<Entry> by_age_;  // front: least recently offered
    std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;
    // Exemplars held per series key: lets of_series() skip series with none.
    std::unordered_map<std::string, std::size_t> per_series_;
};

}  // namespace agentmon
