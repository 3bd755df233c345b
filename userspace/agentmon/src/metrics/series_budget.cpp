#include "metrics/series_budget.h"

#include <utility>

namespace agentmon {

std::uint64_t SeriesBudget::hash(const LabelSet& labels) {
    // FNV-1a over "key\0value\0" pairs: label values may hold any byte but NUL.
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](const std::string& s) {
        for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
        h = (h ^ 0) * 0x100000001b3ull;
    };
    for (const auto& [key, value] : labels) {
        mix(key);
        mix(value);
    }
    return h;
}

std::size_t SeriesBudget::limit(const std::string& family) const {
    auto it = limits_.find(family);
    return it != limits_.end() ? it->second : default_limit_;
}

LabelSet SeriesBudget::overflow_of(const LabelSet& labels) {
    LabelSet overflow = labels;
    for (auto& [key, value] : overflow)
        if (key != "carrier" && key != "direction") value = kOverflowValue;
    return overflow;
}

LabelSet SeriesBudget::admit(const std::string& family, const LabelSet& full_labels) {
    const LabelSet labels = selection_.project(family, full_labels);
    dropped_count_.try_emplace(family, 0);
    auto& admitted = admitted_[family];
    const std::uint64_t h = hash(labels);
    if (admitted.count(h)) return labels;
    if (admitted.size() < limit(family) && !dropped_[family].count(h)) {
        admitted.insert(h);
        return labels;
    }
    if (dropped_[family].insert(h).second && dropped_count_[family]++ == 0)
        first_overflows_.push_back(family);
    return overflow_of(labels);
}

std::vector<std::string> SeriesBudget::take_first_overflows() {
    return std::exchange(first_overflows_, {});
}

void emit_series_dropped(const SeriesBudget& budget, const std::vector<std::string>& families,
                         SnapshotBuilder& out) {
    std::map<std::string, double> dropped;
    for (const auto& family : families) dropped[family] = 0;
    for (const auto& [family, count] : budget.dropped()) dropped[family] = double(count);
    for (const auto& [family, count] : dropped)
        out.counter("agentmon_series_dropped_total",
                    "Distinct label sets folded into a family's overflow series by the series "
                    "budget.",
                    count, {{"family", family}});
}

}  // namespace agentmon
