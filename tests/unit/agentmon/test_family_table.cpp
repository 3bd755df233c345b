// The metric family table against docs/metrics.md (every family documented,
// nothing documented that is not in the table) and against what the transport
// paths emit (nothing emitted that is not in the table).
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "metrics/family_table.h"
#include "metrics/ring_metrics.h"
#include "metrics/socket_metrics.h"

using namespace agentmon;

namespace {

std::set<std::string> table_names() {
    std::set<std::string> names;
    for (const auto& f : metric_families()) names.emplace(f.name);
    return names;
}

// Family rows of docs/metrics.md's tables: "| `name` | type | ...", names with a
// family prefix (label rows such as "| `carrier` |" have none).
std::set<std::string> documented_names() {
    const std::string path = std::string(DOCS_DIR) + "/metrics.md";
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot read " << path);
    const std::regex row(
        R"(^\| `((agent|agentmon|system|message|anomaly|failure|performance|capacity)_[a-z_]+)` \|)");
    std::set<std::string> names;
    std::smatch m;
    for (std::string line; std::getline(in, line);)
        if (std::regex_search(line, m, row)) names.insert(m[1]);
    return names;
}

}  // namespace

TEST_CASE("family table: every family documented in docs/metrics.md, nothing else documented") {
    const auto table = table_names();
    const auto docs = documented_names();
    for (const auto& name : table) {
        CAPTURE(name);
        CHECK_MESSAGE(docs.count(name), "exported but not documented");
    }
    for (const auto& name : docs) {
        CAPTURE(name);
        CHECK_MESSAGE(table.count(name), "documented but not in the family table");
    }
    CHECK(table.size() == metric_families().size());  // no name twice
}

TEST_CASE("family table: every family the transport paths emit is in it, with its type") {
    auto budget = std::make_shared<SeriesBudget>();
    SocketMetrics socket(AgentRegistry(), {{0.001}, {64}}, budget);
    RingMetrics rings(AgentRegistry(), {0.001}, budget);
    SnapshotBuilder out;
    SocketReading reading;
    reading.backlog_by_agent[1] = 0;
    for (double t : {1.0, 2.0}) {
        reading.monotonic_seconds = t;
        socket.build(reading, out);
        RingObservation o;
        o.ring = "agent_ring_1";
        rings.build({o}, t, out);
    }
    emit_series_dropped(*budget, budgeted_families(), out);
    const auto table = table_names();
    for (const auto& family : std::move(out).build().families) {
        CAPTURE(family.name);
        CHECK(table.count(family.name));
    }
}
