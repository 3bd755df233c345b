// The socket path's config section: defaults are valid, every key applies, and
// every problem names its field.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/socket_config.h"

using namespace agentmon;

namespace {

// Problems of applying `json` to the defaults and then validating the result.
std::vector<std::string> problems_of(const std::string& json) {
    SocketConfig config;
    std::vector<std::string> problems;
    apply_socket_config(nlohmann::json::parse(json), config, problems);
    for (auto& p : config.validate()) problems.push_back(std::move(p));
    return problems;
}

SocketConfig applied(const std::string& json) {
    SocketConfig config;
    std::vector<std::string> problems;
    apply_socket_config(nlohmann::json::parse(json), config, problems);
    REQUIRE(problems.empty());
    return config;
}

std::string joined(const std::vector<std::string>& problems) {
    std::string out;
    for (const auto& p : problems) out += p + "\n";
    return out;
}

bool starts_with_any(const std::vector<std::string>& problems, const std::string& prefix) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.rfind(prefix, 0) == 0; });
}

}  // namespace

TEST_CASE("the defaults validate clean") {
    const SocketConfig config;
    CHECK(config.validate().empty());
    CHECK(config.enabled);
    CHECK(config.frame_spec.name == "agen");
    CHECK(config.agent_rules.size() == 1);
    CHECK(config.agents.empty());
    CHECK(config.series_budget_default == kDefaultSeriesBudget);
    CHECK(config.series_budget.empty());
}

TEST_CASE("the default buckets: 1 us to 10 s in seconds, 64 B to 16 MiB in bytes") {
    const SocketConfig config;
    REQUIRE(!config.latency_buckets_seconds.empty());
    CHECK(config.latency_buckets_seconds.front() == 1e-6);
    CHECK(config.latency_buckets_seconds.back() == 10);
    CHECK(config.latency_buckets_seconds.size() <= HIST_BOUNDS_MAX);
    REQUIRE(!config.size_buckets_bytes.empty());
    CHECK(config.size_buckets_bytes.front() == 64);
    CHECK(config.size_buckets_bytes.back() == 16 * 1024 * 1024);
    CHECK(config.size_buckets_bytes.size() <= HIST_BOUNDS_MAX);
}

TEST_CASE("the kernel gets the bounds in whole nanoseconds and bytes") {
    SocketConfig config;
    config.latency_buckets_seconds = {1e-6, 0.0025, 1};
    config.size_buckets_bytes = {64, 1500};
    CHECK(config.latency_bounds_ns() == std::vector<std::uint64_t>{1000, 2'500'000, 1'000'000'000});
    CHECK(config.size_bounds_bytes() == std::vector<std::uint64_t>{64, 1500});
}

TEST_CASE("an empty document changes nothing") {
    const SocketConfig config = applied("{}");
    CHECK(config.enabled);
    CHECK(config.frame_spec.name == "agen");
    CHECK(config.latency_buckets_seconds == default_latency_buckets());
    CHECK(config.size_buckets_bytes == default_size_buckets());
}

TEST_CASE("socket_path: false turns the socket path off") {
    CHECK_FALSE(applied(R"({"socket_path": false})").enabled);
}

TEST_CASE("socket_hooks picks the socket path's kernel hooks, auto by default") {
    CHECK(applied("{}").hooks == "auto");
    CHECK(applied(R"({"socket_hooks": "syscalls"})").hooks == "syscalls");
    CHECK(applied(R"({"socket_hooks": "sock_length"})").hooks == "sock_length");
    CHECK(applied(R"({"socket_hooks": "syscalls_bounded"})").hooks == "syscalls_bounded");
}

TEST_CASE("frame_spec selects a preset") {
    const SocketConfig config = applied(R"({"frame_spec": "ufp3"})");
    CHECK(config.frame_spec.name == "ufp3");
    CHECK(config.frame_spec.magic == 0x4147);
}

TEST_CASE("agent_rules replace the default rule") {
    const SocketConfig config =
        applied(R"({"agent_rules": [{"comm": "director*", "agent_type": "DIRECTOR"}]})");
    REQUIRE(config.agent_rules.size() == 1);
    CHECK(config.agent_rules[0].comm == "director*");
    CHECK(config.agent_rules[0].agent_type == "DIRECTOR");
}

TEST_CASE("agents fill the registry") {
    const SocketConfig config =
        applied(R"({"agents": [{"id": 29, "type": "MONITOR", "name": "monitor-eu"}]})");
    REQUIRE(config.agents.size() == 1);
    CHECK(config.agents[0].id == 29);
    CHECK(config.agents[0].type == 10);
    CHECK(config.agents[0].name == "monitor-eu");
}

TEST_CASE("latency_buckets_seconds and size_buckets_bytes replace the defaults") {
    const SocketConfig config =
        applied(R"({"latency_buckets_seconds": [0.001, 0.1], "size_buckets_bytes": [128]})");
    CHECK(config.latency_buckets_seconds == std::vector<double>{0.001, 0.1});
    CHECK(config.size_buckets_bytes == std::vector<double>{128});
}

TEST_CASE("series_budget sets the default and per-family limits") {
    const SocketConfig config =
        applied(R"({"series_budget": {"default": 500, "agent_transport_messages_total": 50}})");
    CHECK(config.series_budget_default == 500);
    REQUIRE(config.series_budget.count("agent_transport_messages_total") == 1);
    CHECK(config.series_budget.at("agent_transport_messages_total") == 50);
}

TEST_CASE("every problem names its field") {
    struct Case {
        const char* json;
        const char* field;  // the problem starts with this
    };
    std::string many_bounds = "[";
    for (int i = 1; i <= HIST_BOUNDS_MAX + 1; ++i)
        many_bounds += (i > 1 ? "," : "") + std::to_string(i);
    many_bounds += "]";
    const std::string too_many = R"({"size_buckets_bytes": )" + many_bounds + "}";
    const Case cases[] = {
        {R"({"socket_path": "yes"})", "socket_path:"},
        {R"({"socket_hooks": "fentry"})", "socket_hooks:"},
        {R"({"socket_hooks": true})", "socket_hooks:"},
        {R"({"latency_buckets_seconds": [0.1, 0.01]})", "latency_buckets_seconds[1]:"},
        {R"({"latency_buckets_seconds": [0.1, 0.1]})", "latency_buckets_seconds[1]:"},
        // Below a nanosecond the kernel could not tell the bound from zero.
        {R"({"latency_buckets_seconds": [1e-10]})", "latency_buckets_seconds[0]:"},
        {R"({"latency_buckets_seconds": []})", "latency_buckets_seconds:"},
        {R"({"latency_buckets_seconds": [0.1, "x"]})", "latency_buckets_seconds[1]:"},
        {R"({"latency_buckets_seconds": 0.1})", "latency_buckets_seconds:"},
        {too_many.c_str(), "size_buckets_bytes:"},
        {R"({"size_buckets_bytes": [64, 64.4]})", "size_buckets_bytes[1]:"},
        {R"({"agents": [{"id": 29, "type": "CHIEF"}]})", "agents[0].type:"},
        {R"({"agents": [{"id": 0, "type": "DIRECTOR"}]})", "agents[0].id:"},
        {R"({"agents": [{"id": 29, "type": "DIRECTOR"}, {"id": 29, "type": "TUI"}]})",
         "agents[1].id:"},
        {R"({"series_budget": {"default": 0}})", "series_budget.default:"},
        {R"({"series_budget": {"agent_transport_bytes_total": -3}})",
         "series_budget.agent_transport_bytes_total:"},
        {R"({"series_budget": {"x": 10}})", "series_budget.x:"},
        {R"({"series_budget": 10})", "series_budget:"},
        {R"({"agent_rules": [{"nope": "x"}]})", "agent_rules[0].nope:"},
        {R"({"agent_rules": []})", "agent_rules:"},
        {R"({"frame_spec": "agen2"})", "frame_spec:"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.json);
        const auto problems = problems_of(c.json);
        CAPTURE(joined(problems));
        CHECK(starts_with_any(problems, c.field));
    }
}

TEST_CASE("more than 32 bounds is refused with the count") {
    std::string json = R"({"latency_buckets_seconds": [)";
    for (int i = 1; i <= HIST_BOUNDS_MAX + 1; ++i) json += (i > 1 ? "," : "") + std::to_string(i);
    json += "]}";
    const auto problems = problems_of(json);
    CAPTURE(joined(problems));
    CHECK(starts_with_any(problems, "latency_buckets_seconds: needs 1 to 32 bounds, got 33"));
}

TEST_CASE("the config's top-level keys include every socket-path key") {
    const auto& keys = socket_config_keys();
    for (const char* key : {"socket_path", "socket_hooks", "frame_spec", "agent_rules", "agents",
                            "series_budget", "latency_buckets_seconds", "size_buckets_bytes"}) {
        CAPTURE(key);
        CHECK(std::find(keys.begin(), keys.end(), key) != keys.end());
    }
}
