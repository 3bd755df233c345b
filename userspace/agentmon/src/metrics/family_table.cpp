#include "metrics/family_table.h"

#include <map>

namespace agentmon {

namespace {

// The table's order is the enum's: a handle always finds its own entry.
constexpr bool handles_match_entries() {
    for (std::size_t i = 0; i < kFamilySpecs.size(); ++i)
        if (static_cast<std::size_t>(kFamilySpecs[i].id) != i) return false;
    return true;
}
static_assert(handles_match_entries());

}  // namespace

const FamilySpec* find_family(std::string_view name) {
    for (const auto& f : metric_families())
        if (f.name == name) return &f;
    return nullptr;
}

std::vector<std::string> label_names(const FamilySpec& family) {
    std::vector<std::string> names;
    std::string_view rest = family.labels;
    while (!rest.empty()) {
        const std::size_t end = std::min(rest.find(' '), rest.size());
        if (end > 0) names.emplace_back(rest.substr(0, end));
        rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    return names;
}

const std::vector<std::string>& families_budgeted_by(FamilyBudget budget) {
    static const std::map<FamilyBudget, std::vector<std::string>> by_budget = [] {
        std::map<FamilyBudget, std::vector<std::string>> names;
        for (const auto& f : metric_families()) names[f.budget].emplace_back(f.name);
        return names;
    }();
    static const std::vector<std::string> none;
    auto it = by_budget.find(budget);
    return it != by_budget.end() ? it->second : none;
}

}  // namespace agentmon
