// The metric family table against docs/metrics.md (every family documented with
// the table's type, labels and unit, nothing documented that is not in the table)
// and against what the builders emit (every sample carries exactly its family's
// labels).
#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "collect/process_families.h"
#include "metrics/agent_metrics.h"
#include "transport_path_fixture.h"

namespace {

struct DocumentedFamily {
    std::string type, unit;
    std::set<std::string> labels;
    bool has_unit = false;  // the table it stands in has a unit column
};

std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    std::string cell;
    std::getline(in, cell, '|');  // before the first '|'
    while (std::getline(in, cell, '|')) {
        const auto first = cell.find_first_not_of(' ');
        const auto last = cell.find_last_not_of(' ');
        out.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    return out;
}

// `name`, `map="frames"`, ... -> {name, map}; "as above" -> the row before's.
std::set<std::string> label_cell(const std::string& cell, const std::set<std::string>& above) {
    if (cell == "as above") return above;
    static const std::regex label(R"(`([a-z_]+)(=[^`]*)?`)");
    std::set<std::string> labels;
    for (std::sregex_iterator it(cell.begin(), cell.end(), label), end; it != end; ++it)
        labels.insert((*it)[1]);
    return labels;
}

// Family rows of docs/metrics.md's tables whose header starts "| metric | type |":
// "| `name` | type | labels | [unit |] meaning |". Rows naming a selection of a
// family (`name{carrier="ring"}`) refine a row above and are skipped.
std::map<std::string, DocumentedFamily> documented() {
    const std::string path = std::string(DOCS_DIR) + "/metrics.md";
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot read " << path);
    const std::regex name(
        R"(^`((agent|agentmon|system|message|process|anomaly|failure|performance|capacity)_[a-z_]+)`$)");
    std::map<std::string, DocumentedFamily> families;
    std::vector<std::string> header;
    std::set<std::string> above;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("| metric | type |", 0) == 0) header = cells(line);
        if (line.rfind('|', 0) != 0) header.clear();
        std::smatch m;
        const auto row = cells(line);
        if (header.empty() || row.size() < 3 || !std::regex_match(row[0], m, name)) continue;
        DocumentedFamily f;
        f.type = row[1];
        f.labels = above = label_cell(row[2], above);
        f.has_unit = header.size() > 3 && header[3] == "unit";
        if (f.has_unit) f.unit = row[3];
        CHECK_MESSAGE(families.emplace(m[1], f).second, m[1] << " documented twice");
    }
    return families;
}

// As docs/metrics.md spells FamilyType.
const char* const kTypeNames[] = {"counter", "gauge", "histogram"};

// One tick of every builder the collectors use, on small hand-made inputs.
Snapshot every_builder() {
    SocketPath socket;
    RingMetrics rings(AgentRegistry(), socket.sink);
    SnapshotBuilder out;
    SocketReading reading;
    reading.backlog_by_agent[1] = 0;
    reading.processing[1].buckets[0] = 1;
    reading.syscall_errors = {{EAGAIN, CARRIER_UNIX, DIR_SENT, 1}};
    reading.intruders.push_back({});
    for (double t : {1.0, 2.0}) {
        out = SnapshotBuilder();
        reading.monotonic_seconds = t;
        socket.metrics.build(reading, out);
        RingObservation o;
        o.ring = "agent_ring_1";
        rings.build({o}, t, out);
        end_tick(*socket.sink, out);
    }
    AgentTracker tracker{AgentRegistry()};
    AgentTick tick;
    tick.seconds = 1;
    ProcSample process;
    process.tgid = 100;
    process.start_ns = 1;
    tick.procs = {process};
    tick.identities = {{100, {10, 10, "", "", ""}}};
    tracker.update(tick);
    AgentMetrics(SeriesBudget()).build(tracker, AgentSignalBoard{}, AgentPathStats{}, out);
    REQUIRE(add_standard_process_families(out).ok());
    return std::move(out).build();
}

}  // namespace

TEST_CASE("family table: every family documented with its type, labels and unit") {
    const auto docs = documented();
    for (const auto& f : metric_families()) {
        const std::string name(f.name);
        CAPTURE(name);
        auto it = docs.find(name);
        REQUIRE_MESSAGE(it != docs.end(), "in the family table but not in docs/metrics.md");
        CHECK(it->second.type == kTypeNames[static_cast<int>(f.type)]);
        const auto labels = label_names(f);
        CHECK(it->second.labels == std::set<std::string>(labels.begin(), labels.end()));
        if (it->second.has_unit) CHECK(it->second.unit == f.unit);
        CHECK_FALSE(f.help.empty());
    }
}

TEST_CASE("family table: nothing documented that is not in it, no name twice") {
    std::set<std::string> table;
    for (const auto& f : metric_families()) CHECK(table.emplace(f.name).second);
    for (const auto& [name, doc] : documented()) {
        CAPTURE(name);
        CHECK_MESSAGE(table.count(name), "documented but not in the family table");
    }
}

TEST_CASE("family table: every sample the builders emit has exactly its family's labels") {
    std::map<std::string, const FamilySpec*> by_name;
    for (const auto& f : metric_families()) by_name[std::string(f.name)] = &f;
    const Snapshot snapshot = every_builder();
    CHECK(snapshot.families.size() > 30);
    for (const auto& family : snapshot.families) {
        CAPTURE(family.name);
        REQUIRE(by_name.count(family.name));
        const FamilySpec& f = *by_name.at(family.name);
        CHECK(family.help == f.help);
        CHECK(family.type == prometheus_type(f.type));
        const auto want = label_names(f);
        const std::set<std::string> wanted(want.begin(), want.end());
        for (const auto& m : family.metric) {
            std::set<std::string> labels;
            for (const auto& l : m.label) labels.insert(l.name);
            CHECK(labels == wanted);
        }
    }
}

TEST_CASE("family table: the budgets' family lists come from it") {
    for (const auto& name : budgeted_families())
        CHECK(std::any_of(metric_families().begin(), metric_families().end(), [&](const auto& f) {
            return f.name == name && f.budget == FamilyBudget::transport;
        }));
    CHECK(budgeted_families().size() == 12);       // docs/metrics.md, "The series budget"
    CHECK(agent_budgeted_families().size() == 9);  // the same section
}
