#include "metrics/interned_series.h"

#include <algorithm>

namespace agentmon {

void InternedSeries::intern(const std::vector<std::uint64_t>& keys, const LabelsOf& labels_of,
                            SeriesBudget& budget) {
    std::vector<std::pair<LabelSet, std::uint64_t>> fresh;
    for (std::uint64_t key : keys)
        if (slot_of_key_.at(key) == kNone) {
            fresh.emplace_back(labels_of(key), key);
            slot_of_key_[key] = kPending;  // a key repeated in `keys` is added once
        }
    if (fresh.empty()) return;
    std::sort(fresh.begin(), fresh.end());
    for (auto& [labels, key] : fresh) {
        LabelSet admitted = budget.admit(family_, labels);
        auto [it, added] = slot_of_labels_.try_emplace(std::move(admitted), labels_.size());
        if (added) labels_.push_back(it->first);
        slot_of_key_[key] = static_cast<std::uint32_t>(it->second);
    }
    order_.clear();
    for (const auto& [labels, slot] : slot_of_labels_) order_.push_back(slot);
}

}  // namespace agentmon
