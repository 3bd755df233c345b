// Names for labels: agent types, instances, message types, priorities, carriers,
// directions, errnos and decoder events.
#include <doctest/doctest.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <set>

#include "abi/socket_trace.h"
#include "model/agent_registry.h"

using namespace agentmon;

TEST_CASE("ids 1..28 are the 28 types in enum order; 0 is unknown") {
    AgentRegistry registry;
    CHECK(registry.type_name_of(0) == "unknown");
    CHECK(registry.type_name_of(1) == "DIRECTOR");
    CHECK(registry.type_name_of(2) == "PROJECT_ORCHESTRATOR");
    CHECK(registry.type_name_of(3) == "SECURITY");
    CHECK(registry.type_name_of(4) == "SECURITY_CHAOS");
    CHECK(registry.type_name_of(14) == "RED_TEAM_ORCHESTRATOR");
    CHECK(registry.type_name_of(27) == "API_DESIGNER");
    CHECK(registry.type_name_of(28) == "ARCHITECT");
    std::set<std::string_view> names;
    for (std::uint32_t t = 1; t <= kAgentTypeCount; ++t) names.insert(agent_type_name(t));
    CHECK(names.size() == 28);
    CHECK(names.count("unknown") == 0);
    CHECK(agent_type_name(29) == "unknown");
}

TEST_CASE("larger ids are instances: type = (id - 1) % 28 + 1, name <TYPE>_<n>") {
    AgentRegistry registry;
    CHECK(registry.type_of(29) == 1);
    CHECK(registry.type_of(56) == 28);
    CHECK(registry.type_of(57) == 1);
    CHECK(registry.instance_name(1) == "DIRECTOR");
    CHECK(registry.instance_name(28) == "ARCHITECT");
    CHECK(registry.instance_name(29) == "DIRECTOR_1");
    CHECK(registry.instance_name(2 + 28 * 3) == "PROJECT_ORCHESTRATOR_3");
    CHECK(registry.instance_name(0) == "unknown");
}

TEST_CASE("registry entries override type and name of their ids") {
    AgentRegistry registry({{100, 3, "security-eu"}, {5, 1, ""}});
    CHECK(registry.type_of(100) == 3);
    CHECK(registry.type_name_of(100) == "SECURITY");
    CHECK(registry.instance_name(100) == "security-eu");
    CHECK(registry.type_of(5) == 1);                 // not TESTBED any more
    CHECK(registry.instance_name(5) == "DIRECTOR");  // no name: derived from its type
    CHECK(registry.type_of(101) == (101 - 1) % 28 + 1);
}

TEST_CASE("the kernel's id -> type table matches type_of for every id") {
    AgentRegistry registry({{100, 3, "x"}, {4095, 2, ""}});
    auto table = registry.type_table(AGENT_ID_TYPE_MAX);
    REQUIRE(table.size() == AGENT_ID_TYPE_MAX);
    CHECK(table[0] == 0);
    CHECK(table[1] == 1);
    CHECK(table[28] == 28);
    CHECK(table[29] == 1);
    CHECK(table[100] == 3);
    CHECK(table[4095] == 2);
    for (std::uint32_t id = 0; id < AGENT_ID_TYPE_MAX; ++id)
        CHECK(table[id] == registry.type_of(id));
}

TEST_CASE("type names resolve exactly, and by unique prefix only through agent_type_by_prefix") {
    CHECK(agent_type_by_name("SECURITY") == 3u);
    CHECK_FALSE(agent_type_by_name("SECURIT").has_value());
    CHECK(agent_type_by_prefix("SECURITY") == 3u);  // exact beats SECURITY_CHAOS
    CHECK(agent_type_by_prefix("SECURITY_CHA") == 4u);
    CHECK(agent_type_by_prefix("PROJECT_ORCH") == 2u);
    CHECK_FALSE(agent_type_by_prefix("DATA").has_value());  // DATA_SCIENCE or DATABASE
    CHECK_FALSE(agent_type_by_prefix("").has_value());
}

TEST_CASE("message types, priorities, carriers and directions have names, never numbers") {
    CHECK(msg_type_name(1) == "REQUEST");
    CHECK(msg_type_name(2) == "RESPONSE");
    CHECK(msg_type_name(10) == "STATE_SYNC");
    CHECK(msg_type_name(15) == "EMERGENCY");
    CHECK(msg_type_name(0) == "other");
    CHECK(msg_type_name(16) == "other");
    CHECK(priority_name(0) == "CRITICAL");
    CHECK(priority_name(2) == "NORMAL");
    CHECK(priority_name(5) == "BACKGROUND");
    CHECK(priority_name(6) == "other");
    CHECK(carrier_name(CARRIER_UNIX) == "unix");
    CHECK(carrier_name(CARRIER_DGRAM) == "dgram");
    CHECK(carrier_name(CARRIER_TCP) == "tcp");
    CHECK(carrier_name(CARRIER_RING) == "ring");
    CHECK(direction_name(DIR_SENT) == "sent");
    CHECK(direction_name(DIR_RECEIVED) == "received");
}

TEST_CASE("errnos are named like their macros; unnamed ones as E<n>, the clamp slot OTHER") {
    CHECK(errno_name(EPIPE) == "EPIPE");
    CHECK(errno_name(ECONNRESET) == "ECONNRESET");
    CHECK(errno_name(EAGAIN) == "EAGAIN");
    CHECK(errno_name(ENOBUFS) == "ENOBUFS");
    CHECK(errno_name(150) == "E150");
    CHECK(errno_name(ERRNO_SLOTS - 1) == "OTHER");
}

TEST_CASE("every decoder event has its own name") {
    std::set<std::string_view> names;
    for (std::uint32_t e = 0; e < WALK_EVENT_COUNT; ++e) names.insert(walk_event_name(e));
    CHECK(names.size() == WALK_EVENT_COUNT);
    CHECK(names.count("unknown") == 0);
    CHECK(walk_event_name(WALK_MALFORMED) == "MALFORMED");
    CHECK(walk_event_name(WALK_FRAMES_MAP_FULL) == "FRAMES_MAP_FULL");
}

TEST_CASE("the config's agents list parses; problems name the entry and field") {
    std::vector<std::string> problems;
    auto entries = parse_agent_registry(
        nlohmann::json::parse(R"([{"id": 29, "type": "DIRECTOR", "name": "director-eu"},
                                  {"id": 30, "type": "SECURITY"}])"),
        problems);
    CHECK(problems.empty());
    REQUIRE(entries.size() == 2);
    // A high id may be named when it keeps its arithmetic type: (5000-1)%28+1 = 16.
    std::vector<std::string> high_problems;
    auto high = parse_agent_registry(
        nlohmann::json::parse(R"([{"id": 5000, "type": "DOCGEN", "name": "d-5000"}])"),
        high_problems);
    CHECK(high_problems.empty());
    CHECK(high.size() == 1);
    CHECK(entries[0].id == 29);
    CHECK(entries[0].type == 1);
    CHECK(entries[0].name == "director-eu");
    CHECK(entries[1].type == 3);
    CHECK(entries[1].name.empty());

    struct Case {
        const char* json;
        const char* named;
    };
    const Case cases[] = {
        {R"({"id": 1})", "agents: expected a list"},
        {R"([3])", "agents[0]: expected"},
        {R"([{"id": 0, "type": "DIRECTOR"}])", "agents[0].id:"},
        {R"([{"id": "7", "type": "DIRECTOR"}])", "agents[0].id:"},
        {R"([{"id": 7, "type": "CHEF"}])", "agents[0].type:"},
        {R"([{"id": 7}])", "agents[0].type:"},
        {R"([{"id": 7, "type": "TUI", "name": 3}])", "agents[0].name:"},
        {R"([{"id": 7, "type": "TUI", "nmae": "x"}])", "agents[0].nmae: unknown key"},
        {R"([{"id": 5000, "type": "TUI"}])", "agents[0].type: ids from 4096 up keep"},
        {R"([{"id": 7, "type": "TUI"}, {"id": 7, "type": "WEB"}])",
         "agents[1].id: 7 is already listed"},
    };
    for (const auto& c : cases) {
        const std::string json = c.json;
        CAPTURE(json);
        std::vector<std::string> p;
        parse_agent_registry(nlohmann::json::parse(c.json), p);
        REQUIRE(p.size() == 1);
        CHECK(p[0].rfind(c.named, 0) == 0);
    }
}
