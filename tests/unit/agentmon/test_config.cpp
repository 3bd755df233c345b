// Config parsing and validation: every message names its field.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config_fixture.h"

using namespace agentmon;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("defaults are valid and listen on 0.0.0.0:9465 every second") {
    Config config;
    CHECK(config.validate().empty());
    CHECK(config.listen.to_string() == "0.0.0.0:9465");
    CHECK(config.tick == std::chrono::seconds(1));
}

TEST_CASE("a complete valid config applies every field") {
    Config config;
    std::vector<std::string> problems;
    apply_config_json(
        R"({"listen": "127.0.0.1:9999", "tick": "500ms", "log_level": "debug",
            "log_format": "json", "pin_dir": "/sys/fs/bpf/other"})",
        config, problems);
    CHECK(problems.empty());
    CHECK(config.listen.host == "127.0.0.1");
    CHECK(config.listen.port == 9999);
    CHECK(config.tick == std::chrono::milliseconds(500));
    CHECK(config.log_level == LogLevel::debug);
    CHECK(config.log_format == LogFormat::json);
    CHECK(config.pin_dir == "/sys/fs/bpf/other");
}

TEST_CASE("bad listen names the listen field") {
    auto problems = problems_of(R"({"listen": "localhost:99999"})");
    REQUIRE(problems.size() == 1);
    CHECK(starts_with(problems[0], "listen: "));
}

TEST_CASE("listen of the wrong type names the listen field") {
    auto problems = problems_of(R"({"listen": 9465})");
    REQUIRE(problems.size() == 1);
    CHECK(starts_with(problems[0], "listen: expected a string"));
}

TEST_CASE("unparsable tick names the tick field") {
    auto problems = problems_of(R"({"tick": "soon"})");
    REQUIRE(problems.size() == 1);
    CHECK(starts_with(problems[0], "tick: "));
}

TEST_CASE("tick out of range names the tick field") {
    auto problems = problems_of(R"({"tick": "10ms"})");
    REQUIRE(problems.size() == 1);
    CHECK(starts_with(problems[0], "tick: 10ms is out of range"));
}

TEST_CASE("unknown key is an error with a did-you-mean hint") {
    auto problems = problems_of(R"({"lisen": "127.0.0.1:1"})");
    REQUIRE(problems.size() == 1);
    CHECK(starts_with(problems[0], "lisen: unknown key"));
    CHECK(problems[0].find("did you mean \"listen\"?") != std::string::npos);
}

TEST_CASE("unknown key far from any known key lists the known keys") {
    auto problems = problems_of(R"({"frobnicate": 1})");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("known keys: listen, tick") != std::string::npos);
}

TEST_CASE("pin_dir outside bpffs names the pin_dir field") {
    auto problems = problems_of(R"({"pin_dir": "/tmp/pins"})");
    REQUIRE(problems.size() == 1);
    CHECK(starts_with(problems[0], "pin_dir: "));
}

TEST_CASE("log_level and log_format reject unknown values by field") {
    auto problems = problems_of(R"({"log_level": "loud", "log_format": "xml"})");
    REQUIRE(problems.size() == 2);
    CHECK(starts_with(problems[0], "log_level: "));
    CHECK(starts_with(problems[1], "log_format: "));
}

TEST_CASE("invalid JSON and non-object documents are reported") {
    CHECK(starts_with(problems_of("{").at(0), "not valid JSON"));
    CHECK(starts_with(problems_of("[1]").at(0), "top level: expected a JSON object"));
}

TEST_CASE("load_config_file prefixes every problem with the file name") {
    const std::string path = "/tmp/agentmon-unit-config-test.json";
    {
        std::ofstream f(path);
        f << R"({"tick": "x", "listen": "nope"})";
    }
    auto result = load_config_file(path);
    std::remove(path.c_str());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find(path + ": listen: ") != std::string::npos);
    CHECK(result.error().message.find(path + ": tick: ") != std::string::npos);
}

TEST_CASE("load_config_file on a missing file says which file") {
    auto result = load_config_file("/nonexistent/agentmon.json");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("/nonexistent/agentmon.json") != std::string::npos);
}

TEST_CASE("parse_duration accepts ms, s, m, h and rejects the rest") {
    CHECK(parse_duration("250ms") == std::chrono::milliseconds(250));
    CHECK(parse_duration("2s") == std::chrono::milliseconds(2000));
    CHECK(parse_duration("1m") == std::chrono::milliseconds(60000));
    CHECK(parse_duration("1h") == std::chrono::milliseconds(3600000));
    CHECK_FALSE(parse_duration("").has_value());
    CHECK_FALSE(parse_duration("1").has_value());
    CHECK_FALSE(parse_duration("s").has_value());
    CHECK_FALSE(parse_duration("-1s").has_value());
    CHECK_FALSE(parse_duration("1.5s").has_value());
}

TEST_CASE("parse_listen") {
    CHECK(parse_listen("127.0.0.1:9465")->to_string() == "127.0.0.1:9465");
    CHECK(parse_listen(":8080")->to_string() == "0.0.0.0:8080");
    CHECK(parse_listen("8080")->to_string() == "0.0.0.0:8080");
    CHECK_FALSE(parse_listen("127.0.0.1:0").has_value());
    CHECK_FALSE(parse_listen("127.0.0.1:65536").has_value());
    CHECK_FALSE(parse_listen("localhost:80").has_value());
    CHECK_FALSE(parse_listen("1.2.3.4:").has_value());
}

TEST_CASE("parse_listen takes bracketed IPv6 addresses") {
    CHECK(parse_listen("[::1]:9465")->to_string() == "[::1]:9465");
    CHECK(parse_listen("[::1]:9465")->is_ipv6());
    CHECK(parse_listen("[::]:80")->host == "::");
    CHECK_FALSE(parse_listen("::1:9465").has_value());  // ambiguous without brackets
    CHECK_FALSE(parse_listen("[::1]").has_value());
    CHECK_FALSE(parse_listen("[]:80").has_value());
    CHECK_FALSE(parse_listen("[nope]:80").has_value());
}

TEST_CASE("closest_key finds near misses only") {
    CHECK(closest_key("tik", config_keys()) == std::optional<std::string>("tick"));
    CHECK_FALSE(closest_key("zzzzzzzz", config_keys()).has_value());
}

TEST_CASE("agent_path switches the agent state path; anything but a bool is named") {
    Config config;
    CHECK(config.agent_path);
    std::vector<std::string> problems;
    apply_config_json(R"({"agent_path": false})", config, problems);
    CHECK(problems.empty());
    CHECK_FALSE(config.agent_path);
    auto bad = problems_of(R"({"agent_path": "off"})");
    REQUIRE(bad.size() == 1);
    CHECK(starts_with(bad[0], "agent_path: expected true or false"));
}
