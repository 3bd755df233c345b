#include "series_budget.h"

namespace agentmon {

LabelSet SeriesBudget::admit(const std::string& family, const LabelSet& labels) {
    auto& admitted = admitted_[family];
    if (admitted.count(labels)) return labels;
    auto limit = limits_.count(family) ? limits_.at(family) : default_limit_;
    if (admitted.size() < limit) {
        admitted.insert(labels);
        return labels;
    }
    if (dropped_[family].insert(labels).second) dropped_count_[family] += 1;
    // Labels that say where the traffic went stay (carrier, direction): they are
    // few and keep the overflow series' totals meaningful.
    LabelSet overflow = labels;
    for (auto& [key, value] : overflow)
        if (key != "carrier" && key != "direction") value = "overflow";
    return overflow;
}

}  // namespace agentmon
