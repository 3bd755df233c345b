// Interned series: a key's label set is admitted once and keeps its slot; keys new
// in one call are admitted in label order whatever order they come in; keys that
// fold into the overflow series share its slot.
#include <doctest/doctest.h>

#include "metrics/interned_series.h"

using namespace agentmon;

namespace {

LabelSet labels_of(std::uint64_t key) { return {{"k", std::string(1, char('a' + key))}}; }

std::vector<std::string> exposition(const InternedSeries& series) {
    std::vector<std::string> values;
    for (std::size_t slot : series.order()) values.push_back(series.labels(slot).at("k"));
    return values;
}

}  // namespace

TEST_CASE("new keys are admitted in label order, not in the order they come in") {
    SeriesBudget budget({}, 2);
    InternedSeries series("f", 8);
    series.intern({3, 0, 1}, labels_of, budget);  // d, a, b: a and b fit the budget of 2
    CHECK(series.labels(series.slot_of(0)).at("k") == "a");
    CHECK(series.labels(series.slot_of(1)).at("k") == "b");
    CHECK(series.labels(series.slot_of(3)).at("k") == "overflow");
    CHECK(budget.dropped().at("f") == 1);
}

TEST_CASE("a key keeps its slot across calls and overflow keys share one slot") {
    SeriesBudget budget({}, 2);
    InternedSeries series("f", 8);
    series.intern({1}, labels_of, budget);
    const std::size_t b = series.slot_of(1);
    series.intern({0, 1, 2, 3}, labels_of, budget);  // a fits; c and d fold
    CHECK(series.slot_of(1) == b);
    CHECK(series.slot_of(2) == series.slot_of(3));
    CHECK(series.slots() == 3);
    CHECK(exposition(series) == std::vector<std::string>{"a", "b", "overflow"});
    CHECK(budget.dropped().at("f") == 2);
}

TEST_CASE("a key repeated in one call is interned once") {
    SeriesBudget budget({}, 10);
    InternedSeries series("f", 8);
    series.intern({4, 4, 4}, labels_of, budget);
    CHECK(series.slots() == 1);
}
