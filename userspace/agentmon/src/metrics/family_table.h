#pragma once
// Every metric family agentmon exports, in one table (metrics/family_list.h): its
// name, type, HELP text, unit, labels, and which series budget (if any) bounds
// its label sets. Emit sites name a family by its handle, Family::<name>, and
// take the rest from here; the series budget's family lists and the docs test
// read the same table. Adding a family is one entry in family_list.h (and its
// row in docs/metrics.md, which test_family_table checks).
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/family_list.h"

namespace agentmon {

enum class FamilyType { counter, gauge, histogram };
enum class FamilyBudget { none, transport, agent };

// One handle per family: Family::agent_transport_messages_total. A name not in
// the table is not a Family, so emitting it fails to compile.
enum class Family {
#define AGENTMON_FAMILY_ENUM(name, type, budget, unit, labels, help) name,
    AGENTMON_METRIC_FAMILIES(AGENTMON_FAMILY_ENUM)
#undef AGENTMON_FAMILY_ENUM
};

struct FamilySpec {
    Family id;
    std::string_view name;
    FamilyType type;
    FamilyBudget budget;
    std::string_view unit;    // as docs/metrics.md states it; "" for none
    std::string_view labels;  // the label names of every sample, space-separated
    std::string_view help;
};

inline constexpr std::array kFamilySpecs = {
#define AGENTMON_FAMILY_SPEC(name, type, budget, unit, labels, help) \
    FamilySpec{Family::name, #name, FamilyType::type, FamilyBudget::budget, unit, labels, help},
    AGENTMON_METRIC_FAMILIES(AGENTMON_FAMILY_SPEC)
#undef AGENTMON_FAMILY_SPEC
};

constexpr const FamilySpec& spec(Family family) {
    return kFamilySpecs[static_cast<std::size_t>(family)];
}

// Every family, in the table's order (sorted by name).
constexpr const auto& metric_families() { return kFamilySpecs; }

// The family exported as `name`; nullptr when the table has none.
const FamilySpec* find_family(std::string_view name);

// The label names of `family`, in the table's order.
std::vector<std::string> label_names(const FamilySpec& family);

// The names of the families `budget` bounds: those a config's "series_budget" may
// list, and those agentmon_series_dropped_total reports for that budget.
const std::vector<std::string>& families_budgeted_by(FamilyBudget budget);
// The transport families (the tick context's budget) and the per-instance agent ones.
inline const std::vector<std::string>& budgeted_families() {
    return families_budgeted_by(FamilyBudget::transport);
}
inline const std::vector<std::string>& agent_budgeted_families() {
    return families_budgeted_by(FamilyBudget::agent);
}

}  // namespace agentmon
