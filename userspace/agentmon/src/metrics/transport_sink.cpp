#include "metrics/transport_sink.h"

namespace agentmon {

TransportSink::TransportSink(std::shared_ptr<SeriesBudget> budget, HistogramBounds bounds)
    : budget_(std::move(budget)),
      bounds_(std::move(bounds)),
      messages_(Family::agent_transport_messages_total),
      bytes_(Family::agent_transport_bytes_total) {}

void TransportSink::add_frames(const std::vector<std::uint64_t>& keys,
                               const std::vector<FrameTotals>& totals) {
    for (InternedSums* family : {&messages_, &bytes_}) {
        const bool frames = family == &messages_;
        family->series.intern(keys, transport_labels, *budget_);
        family->sums.resize(family->series.slots(), 0.0);
        family->present.resize(family->series.slots(), false);
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const std::size_t slot = family->series.slot_of(keys[i]);
            family->sums[slot] += frames ? totals[i].frames : totals[i].bytes;
            family->present[slot] = true;
        }
    }
}

void TransportSink::add(Family family, const LabelSet& labels, double value) {
    values_.try_emplace(family, family).first->second.add(labels, value);
}

void TransportSink::add_histogram(Family family, const LabelSet& labels,
                                  const HistogramReading& h) {
    histograms_.try_emplace(family, family).first->second.add(labels, h);
}

void TransportSink::emit_interned(InternedSums& family, SnapshotBuilder& out) {
    if (family.sums.empty()) return;
    auto& emitted = out.family(family.id);
    for (std::size_t slot : family.series.order())
        if (slot < family.present.size() && family.present[slot])
            SnapshotBuilder::add_sample(emitted, family.sums[slot], family.series.labels(slot));
}

void TransportSink::emit(SnapshotBuilder& out) {
    for (const auto& f : metric_families()) {
        for (InternedSums* interned : {&messages_, &bytes_})
            if (f.id == interned->id) emit_interned(*interned, out);
        if (auto v = values_.find(f.id); v != values_.end()) v->second.emit(out, *budget_);
        if (auto h = histograms_.find(f.id); h != histograms_.end()) {
            // The kernel keeps times in ns; families in seconds scale their sums.
            const bool seconds = f.unit == "seconds";
            h->second.emit(out, *budget_, seconds ? bounds_.latency_seconds : bounds_.size_bytes,
                           seconds ? 1e-9 : 1.0);
        }
    }
    clear();
}

void TransportSink::clear() {
    for (InternedSums* family : {&messages_, &bytes_}) {
        std::fill(family->sums.begin(), family->sums.end(), 0.0);
        std::fill(family->present.begin(), family->present.end(), false);
    }
    values_.clear();
    histograms_.clear();
}

}  // namespace agentmon
