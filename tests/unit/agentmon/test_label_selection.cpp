// Per-family label selection (config "labels"): what the defaults keep, how a
// config changes it, and that the series budget sums and counts the reduced sets.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/label_config.h"
#include "config/socket_config.h"
#include "metrics/series_budget.h"
#include "metrics/summed_family.h"

using namespace agentmon;

namespace {

LabelSet frame_labels(const std::string& source, const std::string& target,
                      const std::string& carrier = "unix") {
    return {{"source_agent", source}, {"target_agent", target}, {"msg_type", "REQUEST"},
            {"priority", "HIGH"},     {"carrier", carrier},     {"direction", "sent"}};
}

std::vector<std::string> problems_of(const std::string& json, LabelSelection& selection) {
    std::vector<std::string> problems;
    read_label_selection(nlohmann::json::parse(json), selection, problems);
    return problems;
}

}  // namespace

TEST_CASE("without a selection every label is kept") {
    const LabelSelection all;
    CHECK(all.project("agent_transport_messages_total", frame_labels("WEB", "DATABASE")) ==
          frame_labels("WEB", "DATABASE"));
}

TEST_CASE("the defaults drop the target from the frame counters but keep carrier and direction") {
    const LabelSelection defaults = LabelSelection::defaults();
    const LabelSet projected =
        defaults.project("agent_transport_messages_total", frame_labels("WEB", "DATABASE"));
    CHECK(projected == LabelSet{{"source_agent", "WEB"},
                                {"msg_type", "REQUEST"},
                                {"priority", "HIGH"},
                                {"carrier", "unix"},
                                {"direction", "sent"}});
    CHECK(defaults.kept("agent_transport_bytes_total") ==
          std::vector<std::string>{"source_agent", "carrier", "direction"});
    // Families not reduced keep their full key.
    CHECK_FALSE(defaults.reduces("agent_transport_message_size_bytes"));
    CHECK_FALSE(defaults.reduces("message_flow_matrix"));
}

TEST_CASE("the shipped socket config starts from the defaults") {
    const SocketConfig config;
    CHECK(config.labels.reduces("agent_transport_messages_total"));
}

TEST_CASE("config: a list chooses the labels, \"all\" restores the full key") {
    LabelSelection s = LabelSelection::defaults();
    CHECK(problems_of(R"({"agent_transport_messages_total": "all",
                          "agent_transport_latency_seconds": ["source_agent", "target_agent"],
                          "agent_transport_message_size_bytes": []})",
                      s)
              .empty());
    CHECK(s.project("agent_transport_messages_total", frame_labels("WEB", "DATABASE")) ==
          frame_labels("WEB", "DATABASE"));
    CHECK(s.kept("agent_transport_latency_seconds") ==
          std::vector<std::string>{"source_agent", "target_agent", "carrier"});
    CHECK(s.kept("agent_transport_message_size_bytes") ==
          std::vector<std::string>{"carrier", "direction"});
}

TEST_CASE("config: unknown families and labels are named in the error") {
    LabelSelection s;
    auto p = problems_of(R"({"agent_status": ["agent_id"]})", s);
    REQUIRE(p.size() == 1);
    CHECK(p[0].find("labels.agent_status: not a family whose labels can be chosen") == 0);
    p = problems_of(R"({"agent_transport_bytes_total": ["source_agent", "agent_id"]})", s);
    REQUIRE(p.size() == 1);
    CHECK(p[0].find("\"agent_id\" is not a label of agent_transport_bytes_total") !=
          std::string::npos);
    CHECK_FALSE(s.reduces("agent_transport_bytes_total"));  // a bad entry changes nothing
    CHECK(problems_of(R"({"agent_transport_bytes_total": 3})", s).size() == 1);
    CHECK(problems_of(R"(["agent_transport_bytes_total"])", s).size() == 1);
}

TEST_CASE("the budget counts reduced label sets: 784 pairs of one source are one series") {
    SeriesBudget budget({{"agent_transport_messages_total", 2}}, 2, LabelSelection::defaults());
    LabelSet first;
    for (int target = 0; target < 28; ++target) {
        const LabelSet admitted = budget.admit("agent_transport_messages_total",
                                               frame_labels("WEB", "T" + std::to_string(target)));
        if (target == 0) first = admitted;
        CHECK(admitted == first);  // all targets land on one series, none in overflow
    }
    CHECK(budget.dropped().at("agent_transport_messages_total") == 0);
    // A second carrier is a second series, still within a budget of 2.
    CHECK(budget.admit("agent_transport_messages_total", frame_labels("WEB", "X", "ring"))
              .at("carrier") == "ring");
    CHECK(budget.dropped().at("agent_transport_messages_total") == 0);
    // A third reduced set overflows, keeping carrier and direction.
    const LabelSet folded =
        budget.admit("agent_transport_messages_total", frame_labels("DIRECTOR", "X"));
    CHECK(folded.at("source_agent") == kOverflowValue);
    CHECK(folded.count("target_agent") == 0);
    CHECK(folded.at("carrier") == "unix");
}

TEST_CASE("summed families add the values that share a reduced label set") {
    SeriesBudget budget({}, kDefaultSeriesBudget, LabelSelection::defaults());
    SummedValues sums(Family::agent_transport_messages_total);
    sums.add(frame_labels("WEB", "DATABASE"), 3);
    sums.add(frame_labels("WEB", "DIRECTOR"), 4);
    SnapshotBuilder out;
    sums.emit(out, budget);
    const Snapshot snap = std::move(out).build();
    REQUIRE(snap.families.size() == 1);
    REQUIRE(snap.families[0].metric.size() == 1);
    CHECK(snap.families[0].metric[0].counter.value == 7);
}
