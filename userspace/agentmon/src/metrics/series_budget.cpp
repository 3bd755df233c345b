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

std::size_t SeriesBudget::limit(std::string_view family) const {
    auto it = limits_.find(family);
    return it != limits_.end() ? it->second : default_limit_;
}

LabelSet SeriesBudget::overflow_of(const LabelSet& labels) {
    LabelSet overflow = labels;
    for (auto& [key, value] : overflow)
        if (key != "carrier" && key != "direction") value = kOverflowValue;
    return overflow;
}

SeriesBudget::FamilySets& SeriesBudget::sets_of(std::string_view family) {
    auto it = sets_.find(family);
    if (it == sets_.end()) {
        it = sets_.emplace(std::string(family), FamilySets{}).first;
        dropped_count_.emplace(std::string(family), 0);
    }
    return it->second;
}

LabelSet SeriesBudget::admit(std::string_view family, const LabelSet& full_labels) {
    LabelSet labels = selection_.project(family, full_labels);
    FamilySets& sets = sets_of(family);
    const std::uint64_t h = hash(labels);
    if (sets.admitted.count(h)) return labels;
    if (sets.admitted.size() < limit(family) && !sets.dropped.count(h)) {
        sets.admitted.insert(h);
        return labels;
    }
    if (sets.dropped.insert(h).second) {
        auto count = dropped_count_.find(family);
        if (count->second++ == 0) first_overflows_.emplace_back(family);
    }
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
        out.add(Family::agentmon_series_dropped_total, count, {{"family", family}});
}

}  // namespace agentmon
