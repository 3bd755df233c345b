// The config file's bounds: size, nesting depth, unsigned ranges, pin_dir paths and
// the cap on error lines. Each failure names its limit.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>

#include "config/input_limits.h"
#include "config/pin_dir.h"
#include "config_fixture.h"

using namespace agentmon;

namespace {

std::string temp_file(const std::string& text) {
    char name[] = "/tmp/agentmon-config-limits-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(name) << text;
    return name;
}

}  // namespace

TEST_CASE("json nesting beyond 64 levels is refused before parsing") {
    CHECK_FALSE(json_depth_problem(std::string(64, '[') + std::string(64, ']')).has_value());
    auto deep = json_depth_problem(std::string(65, '[') + std::string(65, ']'));
    REQUIRE(deep.has_value());
    CHECK(deep->find("deeper than 64") != std::string::npos);
    // Brackets inside strings, escaped quotes included, do not count.
    CHECK_FALSE(json_depth_problem("{\"k\": \"\\\"" + std::string(100, '[') + "\"}").has_value());

    std::string hundred_thousand =
        "{\"ring_path\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    auto problems = problems_of(hundred_thousand);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("deeper than 64") != std::string::npos);
}

TEST_CASE("read_bounded_file stops at the limit and keeps errno") {
    auto big = read_bounded_file("/dev/zero", 1 << 20);
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().code == EFBIG);
    CHECK(big.error().message.find("larger than 1 MiB") != std::string::npos);

    auto missing = read_bounded_file("/nonexistent/agentmon.json");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ENOENT);

    std::string path = temp_file("{}");
    auto small = read_bounded_file(path);
    std::remove(path.c_str());
    REQUIRE(small.ok());
    CHECK(small.value() == "{}");
}

TEST_CASE("sample_windows beyond 32 bits is out of range, not wrapped") {
    auto problems = problems_of(R"({"ring_path": {"sample_windows": 4294967300}})");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("ring_path.sample_windows: at most 16, got 4294967300") == 0);
}

TEST_CASE("pin_dir must stay below /sys/fs/bpf/ as written") {
    CHECK_FALSE(pin_dir_problem("/sys/fs/bpf/agentmon").has_value());
    CHECK_FALSE(pin_dir_problem("/sys/fs/bpf/a/b").has_value());
    CHECK(pin_dir_problem("/sys/fs/bpf/").has_value());
    CHECK(pin_dir_problem("/tmp/x").has_value());
    CHECK(pin_dir_problem("/sys/fs/bpf/../../../tmp")->find("\"..\" part") != std::string::npos);
    CHECK(pin_dir_problem("/sys/fs/bpf/a/./b").has_value());
    CHECK(pin_dir_problem("/sys/fs/bpf/a//b").has_value());
    auto problems = problems_of(R"({"pin_dir": "/sys/fs/bpf/../../../tmp/x"})");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].rfind("pin_dir: ", 0) == 0);
}

TEST_CASE("verify_pin_dir_on_bpffs refuses a directory that is not bpffs") {
    auto st = verify_pin_dir_on_bpffs("/tmp");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("outside /sys/fs/bpf/") != std::string::npos);
}

TEST_CASE("a config with many problems shows 20 lines and a count") {
    std::string json = "{";
    for (int i = 0; i < 100; ++i)
        json += (i ? "," : "") + std::string("\"bad") + std::to_string(i) + "\": 1";
    json += "}";
    std::string path = temp_file(json);
    auto loaded = load_config_file(path);
    std::remove(path.c_str());
    REQUIRE_FALSE(loaded.ok());
    const std::string& message = loaded.error().message;
    CHECK(std::count(message.begin(), message.end(), '\n') == 20);
    CHECK(message.find("... and 80 more problems") != std::string::npos);
}

// Found with the fuzz target fuzz_config's line count: a key holding newlines
// printed one problem over many lines, and past the 20-line cap.
TEST_CASE("a problem quoting a key with newlines or escapes stays one line") {
    std::string path = temp_file(
        "{\"a\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n"
        "\\tb\": 1, \"x\\u001b[2Jy\": 2}");
    auto loaded = load_config_file(path);
    std::remove(path.c_str());
    REQUIRE_FALSE(loaded.ok());
    const std::string& message = loaded.error().message;
    CHECK(std::count(message.begin(), message.end(), '\n') == 1);  // two problems
    CHECK(message.find("a\\n\\n") != std::string::npos);
    CHECK(message.find("\\tb") != std::string::npos);
    CHECK(message.find("x\\x1b[2Jy") != std::string::npos);
    CHECK(message.find('\x1b') == std::string::npos);
}

// Found by fuzz_config: nlohmann's parser throws out_of_range, not parse_error,
// for a number beyond a double, and the exception ended agentmon.
TEST_CASE("a number beyond a double's range is a problem, not an exception") {
    std::vector<std::string> problems;
    CHECK_NOTHROW(problems = problems_of("{\"request_timeout_seconds\": 1e400}"));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("not valid JSON") == 0);
    CHECK(problems[0].find("number overflow") != std::string::npos);
}

TEST_CASE("ring_path.reader is one of auto, kernel, file") {
    CHECK(problems_of(R"({"ring_path": {"reader": "file"}})").empty());
    auto problems = problems_of(R"({"ring_path": {"reader": "iterator"}})");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "ring_path.reader: one of auto, kernel, file, got \"iterator\"");
}

TEST_CASE("label_quota is a whole number of label sets in [1, 131072]") {
    CHECK(problems_of(R"({"label_quota": 16})").empty());
    CHECK(problems_of(R"({"label_quota": 131072})").empty());
    for (const char* bad : {R"({"label_quota": 0})", R"({"label_quota": 131073})",
                            R"({"label_quota": 2.5})", R"({"label_quota": "8192"})"}) {
        auto problems = problems_of(bad);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].find("label_quota: expected a whole number of label sets in [1, "
                               "131072], got ") == 0);
    }
}

TEST_CASE("frames_map_entries is a whole number of label sets in [16, 131072]") {
    CHECK(problems_of(R"({"frames_map_entries": 16})").empty());
    CHECK(problems_of(R"({"frames_map_entries": 131072})").empty());
    for (const char* bad : {R"({"frames_map_entries": 15})", R"({"frames_map_entries": 131073})",
                            R"({"frames_map_entries": -1})", R"({"frames_map_entries": 64.5})",
                            R"({"frames_map_entries": "4096"})"}) {
        auto problems = problems_of(bad);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].find("frames_map_entries: expected a whole number of label sets in "
                               "[16, 131072], got ") == 0);
    }
}

TEST_CASE("agent_path_reader is one of auto, kernel, procfs") {
    CHECK(problems_of(R"({"agent_path_reader": "procfs"})").empty());
    auto problems = problems_of(R"({"agent_path_reader": "proc"})");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "agent_path_reader: one of auto, kernel, procfs, got \"proc\"");
}
