// The series budget: first-seen label sets keep their series, later ones fold into
// one overflow series per carrier and direction, and each distinct folded set is
// counted once.
#include <doctest/doctest.h>

#include "metrics/series_budget.h"

using namespace agentmon;

namespace {

LabelSet pair(const std::string& source, const std::string& target) {
    return {{"source_agent", source}, {"target_agent", target}, {"carrier", "unix"}};
}

const LabelSet kOverflow = {
    {"source_agent", "overflow"}, {"target_agent", "overflow"}, {"carrier", "unix"}};

}  // namespace

TEST_CASE("within the budget every label set is its own series") {
    SeriesBudget budget({}, 3);
    CHECK(budget.admit("f", pair("A", "B")) == pair("A", "B"));
    CHECK(budget.admit("f", pair("A", "C")) == pair("A", "C"));
    CHECK(budget.admit("f", pair("A", "D")) == pair("A", "D"));
    CHECK(budget.dropped().at("f") == 0);
}

TEST_CASE("past the budget new label sets fold into one overflow series, counted once each") {
    SeriesBudget budget({}, 2);
    budget.admit("f", pair("A", "B"));
    budget.admit("f", pair("A", "C"));
    CHECK(budget.admit("f", pair("A", "D")) == kOverflow);
    CHECK(budget.admit("f", pair("A", "E")) == kOverflow);
    CHECK(budget.dropped().at("f") == 2);
    // The same folded set again, next tick: not counted twice.
    CHECK(budget.admit("f", pair("A", "D")) == kOverflow);
    CHECK(budget.dropped().at("f") == 2);
}

TEST_CASE("admitted label sets keep their series on every later tick: no flapping") {
    SeriesBudget budget({}, 2);
    for (int tick = 0; tick < 3; ++tick) {
        CAPTURE(tick);
        CHECK(budget.admit("f", pair("A", "B")) == pair("A", "B"));
        CHECK(budget.admit("f", pair("X", "Y")) == pair("X", "Y"));
        CHECK(budget.admit("f", pair("N", "M")) == kOverflow);
    }
    CHECK(budget.dropped().at("f") == 1);
}

TEST_CASE("budgets are per family, with a default and per-family limits") {
    SeriesBudget budget({{"small", 1}}, 5);
    CHECK(budget.limit("small") == 1);
    CHECK(budget.limit("other") == 5);
    budget.admit("small", pair("A", "B"));
    CHECK(budget.admit("small", pair("A", "C")) == kOverflow);
    CHECK(budget.admit("other", pair("A", "C")) == pair("A", "C"));
    CHECK(budget.dropped().at("small") == 1);
    CHECK(budget.dropped().at("other") == 0);
}

TEST_CASE("the default budget holds a 28-type full mesh of the reference bus's mix") {
    SeriesBudget budget;
    CHECK(budget.limit("agent_transport_messages_total") == kDefaultSeriesBudget);
    // 28 x 28 pairs, 12 (msg_type, priority) combinations, both directions.
    for (int s = 0; s < 28; ++s)
        for (int t = 0; t < 28; ++t)
            for (int m = 0; m < 12; ++m)
                for (const char* dir : {"sent", "received"}) {
                    LabelSet labels{{"source_agent", std::to_string(s)},
                                    {"target_agent", std::to_string(t)},
                                    {"msg_type", std::to_string(m)},
                                    {"direction", dir}};
                    budget.admit("agent_transport_messages_total", labels);
                }
    CHECK(budget.dropped().at("agent_transport_messages_total") == 0);
}

TEST_CASE("overflow_of folds every value but carrier and direction") {
    CHECK(SeriesBudget::overflow_of(pair("A", "B")) == kOverflow);
    CHECK(SeriesBudget::overflow_of({{"direction", "sent"}, {"msg_type", "TASK"}}) ==
          LabelSet{{"direction", "sent"}, {"msg_type", "overflow"}});
    CHECK(SeriesBudget::overflow_of({}).empty());
}

TEST_CASE("the first fold of a family is reported once, for its log line") {
    SeriesBudget budget({}, 1);
    budget.admit("f", pair("A", "B"));
    CHECK(budget.take_first_overflows().empty());
    budget.admit("f", pair("A", "C"));
    budget.admit("f", pair("A", "D"));
    budget.admit("g", pair("A", "B"));
    CHECK(budget.take_first_overflows() == std::vector<std::string>{"f"});
    budget.admit("f", pair("A", "E"));
    CHECK(budget.take_first_overflows().empty());
}
