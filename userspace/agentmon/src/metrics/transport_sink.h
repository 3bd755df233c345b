#pragma once
// The transport families of one tick, from every path that carries frames: the
// socket path and the ring path write their samples here, and the tick context
// emits each family once at the end of the tick. A label set both paths wrote is
// one series holding their sum, and a family past its budget has exactly one
// overflow series per label set it folds into, however many paths fed it (the
// overflow keeps carrier and direction, so per-carrier totals stay exact). The
// paths never see, or edit, each other's families.
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "kernel/socket_reading.h"
#include "metrics/family_table.h"
#include "metrics/interned_series.h"
#include "metrics/series_budget.h"
#include "metrics/snapshot.h"
#include "metrics/summed_family.h"
#include "metrics/transport_families.h"

namespace agentmon {

// The `le` bounds the kernel's histograms were built with (the kernel holds them
// in ns and bytes): the config's latency_buckets_seconds and size_buckets_bytes.
struct HistogramBounds {
    std::vector<double> latency_seconds;  // increasing
    std::vector<double> size_bytes;       // increasing
};

// Frames and bytes of one raw label key (label_key() in transport_families.h).
struct FrameTotals {
    double frames = 0, bytes = 0;
};

class TransportSink {
  public:
    // `budget`: the tick context's, which every transport family is admitted through.
    TransportSink(std::shared_ptr<SeriesBudget> budget, HistogramBounds bounds);

    const HistogramBounds& bounds() const { return bounds_; }
    SeriesBudget& budget() { return *budget_; }

    // agent_transport_messages_total and agent_transport_bytes_total: keys[i] is
    // the label key of totals[i]. Label sets are built and admitted once per key,
    // the first time it is seen (interned_series.h), so a tick costs an array load
    // per key.
    void add_frames(const std::vector<std::uint64_t>& keys, const std::vector<FrameTotals>& totals);
    // One counter or gauge sample of any other transport family.
    void add(Family family, const LabelSet& labels, double value);
    // One histogram sample (latency and processing time in ns, sizes in bytes).
    void add_histogram(Family family, const LabelSet& labels, const HistogramReading& h);

    // Appends every family written since the last emit, each once, in the table's
    // order with samples sorted by labels, and starts the next tick empty.
    void emit(SnapshotBuilder& out);
    // Forgets what was written since the last emit.
    void clear();

  private:
    // One interned counter family's sums this tick, by slot.
    struct InternedSums {
        explicit InternedSums(Family family)
            : id(family), series(std::string(spec(family).name), kTransportLabelKeys) {}
        Family id;
        InternedSeries series;
        std::vector<double> sums;
        std::vector<bool> present;
    };
    void emit_interned(InternedSums& family, SnapshotBuilder& out);

    std::shared_ptr<SeriesBudget> budget_;
    HistogramBounds bounds_;
    InternedSums messages_, bytes_;
    std::map<Family, SummedValues> values_;
    std::map<Family, SummedHistograms> histograms_;
};

}  // namespace agentmon
