// Agent rules: which comm, executable, command line, cgroup and environment make
// a task an agent of which type.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "model/agent_rules.h"

using namespace agentmon;

namespace {

std::vector<AgentRule> rules_of(const std::string& json, std::vector<std::string>& problems) {
    return parse_agent_rules(nlohmann::json::parse(json), problems);
}

std::optional<RuleMatch> match_default(const std::string& comm) {
    return match_rule(default_agent_rules()[0], comm, {});
}

}  // namespace

TEST_CASE("the default rule takes AG_<TYPE> tasks, type from the name, id = type") {
    struct Case {
        const char* comm;
        std::uint32_t type;  // 0 = not an agent
    };
    const Case cases[] = {
        {"AG_DIRECTOR", 1},
        {"AG_SECURITY", 3},       // exact beats SECURITY_CHAOS
        {"AG_SECURITY_CHA", 4},   // SECURITY_CHAOS cut to 15 bytes
        {"AG_PROJECT_ORCH", 2},   // PROJECT_ORCHESTRATOR cut to 15 bytes
        {"AG_RED_TEAM_ORC", 14},  // RED_TEAM_ORCHESTRATOR
        {"AG_PYTHON_INTER", 9},   // PYTHON_INTERNAL
        {"AG_INFRASTRUCTU", 17},  // INFRASTRUCTURE
        {"AG_ARCHITECT", 28},
        // Short comms are not truncated: no prefix guessing.
        {"AG_DIR", 0},
        {"AG_CHEF", 0},
        {"ag_director", 0},
        {"DIRECTOR", 0},
        {"bash", 0},
        {"AG_", 0},
    };
    for (const auto& c : cases) {
        CAPTURE(c.comm);
        auto m = match_default(c.comm);
        CHECK(m.has_value() == (c.type != 0));
        if (m) {
            CHECK(m->agent_type == c.type);
            CHECK(m->agent_id == c.type);
        }
    }
}

TEST_CASE("type_from_comm: an ambiguous truncated prefix names no type") {
    CHECK_FALSE(type_from_comm("XX_DATA_________", "XX_").has_value());
    CHECK(type_from_comm("XX_DATA_SCIENCE", "XX_") == 23u);
    CHECK_FALSE(type_from_comm("AG_DIRECTOR", "XX_").has_value());
}

TEST_CASE("rules parse from JSON: globs, env, fixed type and id, derived comm prefix") {
    std::vector<std::string> problems;
    auto rules = rules_of(R"([
        {"comm": "AG_*"},
        {"comm": "agent-*", "agent_type": "from_comm"},
        {"exe": "/opt/bus/bin/director*", "agent_type": "DIRECTOR", "agent_id": 57},
        {"cmdline": "python3 *monitor.py*", "agent_type": "MONITOR"},
        {"cgroup": "*/docker-*.scope", "env": "AGENT_TYPE=WEB", "agent_type": "WEB"}
    ])",
                          problems);
    CHECK(problems.empty());
    REQUIRE(rules.size() == 5);
    CHECK(rules[0].comm_prefix == "AG_");
    CHECK_FALSE(rules[0].needs_process_files());
    CHECK(rules[1].comm_prefix == "agent-");
    CHECK(rules[2].agent_id == 57);
    CHECK(rules[2].needs_process_files());
    CHECK(rules[4].env_key == "AGENT_TYPE");
    CHECK(rules[4].env_value == "WEB");

    ProcessFacts facts;
    facts.exe = "/opt/bus/bin/director-v2";
    auto m = match_rule(rules[2], "whatever", facts);
    REQUIRE(m.has_value());
    CHECK(m->agent_type == 1);
    CHECK(m->agent_id == 57);
    CHECK_FALSE(match_rule(rules[2], "whatever", ProcessFacts{"/usr/bin/python3", "", "", {}, {}}));

    auto lower = match_rule(rules[1], "agent-TUI", {});
    REQUIRE(lower.has_value());
    CHECK(lower->agent_type == 6);

    ProcessFacts py{"/usr/bin/python3.11", "python3 /srv/monitor.py --fast", "", {}, {}};
    CHECK(match_rule(rules[3], "python3", py).has_value());
    py.cmdline = "python3 /srv/other.py";
    CHECK_FALSE(match_rule(rules[3], "python3", py).has_value());
}

TEST_CASE("env rules match KEY=VALUE-glob on the process environment") {
    std::vector<std::string> problems;
    auto rules = rules_of(R"([{"env": "AGENT_ROLE=sec*", "agent_type": "SECURITY"},
                              {"env": "AGENT_ANY=*", "agent_type": "TUI"}])",
                          problems);
    REQUIRE(problems.empty());
    ProcessFacts facts;
    facts.environ = {"PATH=/bin", "AGENT_ROLE=security-eu"};
    CHECK(match_rule(rules[0], "x", facts).has_value());
    facts.environ = {"AGENT_ROLE=web"};
    CHECK_FALSE(match_rule(rules[0], "x", facts).has_value());
    facts.environ = {"AGENT_ROLEX=security"};  // another key that merely starts alike
    CHECK_FALSE(match_rule(rules[0], "x", facts).has_value());
    facts.environ = {"AGENT_ANY="};
    CHECK(match_rule(rules[1], "x", facts).has_value());
    facts.environ = {};
    CHECK_FALSE(match_rule(rules[1], "x", facts).has_value());
}

TEST_CASE("cgroup rules match the cgroup path") {
    std::vector<std::string> problems;
    auto rules =
        rules_of(R"([{"cgroup": "/system.slice/bus-*.service", "comm": "AG_*"}])", problems);
    REQUIRE(problems.empty());
    ProcessFacts facts;
    facts.cgroup = "/system.slice/bus-main.service";
    CHECK(match_rule(rules[0], "AG_TUI", facts).has_value());
    facts.cgroup = "/user.slice";
    CHECK_FALSE(match_rule(rules[0], "AG_TUI", facts).has_value());
    CHECK_FALSE(comm_matches(rules[0], "bash"));
}

TEST_CASE("rule problems name the rule and the field") {
    struct Case {
        const char* json;
        const char* named;
    };
    const Case cases[] = {
        {R"({"comm": "AG_*"})", "agent_rules: expected a list"},
        {R"([])", "agent_rules: at least one rule"},
        {R"(["AG_*"])", "agent_rules[0]: expected an object"},
        {R"([{"comm": "X*", "agent_type": "NOBODY"}])", "agent_rules[0].agent_type: \"NOBODY\""},
        {R"([{"agent_type": "DIRECTOR"}])", "agent_rules[0]: needs at least one of"},
        {R"([{"comm": "AG_*"}, {"comm": 3}])", "agent_rules[1].comm: expected a string"},
        {R"([{"comm": "AG_*", "uid": "0"}])", "agent_rules[0].uid: expected a uid"},
        {R"([{"comm": "AG_*", "user": 0}])", "agent_rules[0].user: unknown key"},
        {R"([{"comm": "AG_*", "env": "NOEQUALS"}])", "agent_rules[0].env: expected \"KEY=VALUE"},
        {R"([{"comm": "AG_*", "agent_id": 0}])", "agent_rules[0].agent_id: expected"},
        {R"([{"comm": "*"}])", "agent_rules[0].agent_type: \"from_comm\" needs"},
    };
    for (const auto& c : cases) {
        const std::string json = c.json;
        CAPTURE(json);
        std::vector<std::string> problems;
        rules_of(c.json, problems);
        std::string all;
        for (const auto& p : problems) all += p + "\n";
        CAPTURE(all);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].rfind(c.named, 0) == 0);
    }
}

TEST_CASE("match_comm_only: the first comm-only rule that matches; rules needing files skip") {
    std::vector<std::string> problems;
    auto rules = rules_of(R"([{"comm": "AG_*", "exe": "/opt/*", "agent_type": "WEB"},
                              {"comm": "worker*", "agent_type": "LINTER", "agent_id": 47},
                              {"comm": "AG_*"}])",
                          problems);
    REQUIRE(problems.empty());
    CHECK(match_comm_only(rules, "AG_MONITOR")->agent_type == 10);  // not WEB: needs exe
    CHECK(match_comm_only(rules, "worker-3")->agent_id == 47);
    CHECK_FALSE(match_comm_only(rules, "bash").has_value());
}

TEST_CASE("kernel_comm_prefix: the prefix of a comm-only from_comm rule, else none") {
    std::vector<std::string> problems;
    CHECK(kernel_comm_prefix(default_agent_rules()) == "AG_");
    CHECK(kernel_comm_prefix(rules_of(R"([{"comm": "AG_*", "exe": "/x"}])", problems)) == "");
    CHECK(kernel_comm_prefix(rules_of(R"([{"comm": "bus-*", "comm_prefix": "bus-"}])", problems)) ==
          "bus-");
    CHECK(problems.empty());
}

TEST_CASE("a uid rule binds an agent to its user: the same comm under another uid is not it") {
    std::vector<std::string> problems;
    auto rules = rules_of(R"([{"comm": "AG_*", "uid": 1001}])", problems);
    REQUIRE(problems.empty());
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].needs_process_files());
    ProcessFacts owner;
    owner.uid = 1001;
    ProcessFacts other;
    other.uid = 1002;
    CHECK(match_rule(rules[0], "AG_DIRECTOR", owner).has_value());
    CHECK_FALSE(match_rule(rules[0], "AG_DIRECTOR", other).has_value());
    CHECK_FALSE(match_rule(rules[0], "AG_DIRECTOR", {}).has_value());  // uid unread
    // A comm-only fallback never applies a uid rule it cannot check.
    CHECK_FALSE(match_comm_only(rules, "AG_DIRECTOR").has_value());

    problems.clear();
    rules_of(R"([{"comm": "AG_*", "uid": -1}])", problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("agent_rules[0].uid: expected a uid") != std::string::npos);
}
