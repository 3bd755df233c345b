// Version strings and log line formatting.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "base/mounts.h"
#include "base/version_string.h"
#include "kernel/check_report.h"

using namespace agentmon;

TEST_CASE("version_string adds git describe only when it says more") {
    CHECK(version_string("0.1.0", "") == "agentmon 0.1.0");
    CHECK(version_string("0.1.0", "v0.1.0") == "agentmon 0.1.0");
    CHECK(version_string("0.1.0", "9aab843-dirty") == "agentmon 0.1.0 (git 9aab843-dirty)");
}

TEST_CASE("commit_from_describe extracts the abbreviated hash") {
    CHECK(commit_from_describe("") == "unknown");
    CHECK(commit_from_describe("9aab843") == "9aab843");
    CHECK(commit_from_describe("9aab843-dirty") == "9aab843");
    CHECK(commit_from_describe("v0.1.0-3-g9aab843-dirty") == "9aab843");
}

TEST_CASE("logfmt lines quote values with spaces and escape quotes") {
    auto line = format_log_line(LogFormat::text, LogLevel::info, "agentmon starting",
                                {{"listen", "0.0.0.0:9465"}, {"note", "say \"hi\""}});
    CHECK(line ==
          "level=info msg=\"agentmon starting\" listen=0.0.0.0:9465 note=\"say \\\"hi\\\"\"");
}

TEST_CASE("logfmt puts ts first and quotes empty values") {
    auto line = format_log_line(LogFormat::text, LogLevel::warn, "x", {{"empty", ""}}, "T");
    CHECK(line == "ts=T level=warn msg=x empty=\"\"");
}

TEST_CASE("json log lines are one parsable object") {
    auto line = format_log_line(LogFormat::json, LogLevel::error, "failed\nbadly",
                                {{"collector", "process"}}, "T");
    auto doc = nlohmann::json::parse(line);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(doc["ts"] == "T");
    CHECK(doc["level"] == "error");
    CHECK(doc["msg"] == "failed\nbadly");
    CHECK(doc["collector"] == "process");
}

TEST_CASE("parse_log_level and parse_log_format") {
    CHECK(parse_log_level("debug") == LogLevel::debug);
    CHECK(parse_log_level("warning") == LogLevel::warn);
    CHECK_FALSE(parse_log_level("loud").has_value());
    CHECK(parse_log_format("json") == LogFormat::json);
    CHECK_FALSE(parse_log_format("xml").has_value());
}

TEST_CASE("parse_mounts decodes octal escapes and finds cgroup2") {
    std::istringstream mounts(
        "sysfs /sys sysfs rw 0 0\n"
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"
        "bpf /sys/fs/bpf bpf rw 0 0\n"
        "/dev/sda1 /mnt/with\\040space ext4 rw 0 0\n");
    auto entries = parse_mounts(mounts);
    REQUIRE(entries.size() == 4);
    CHECK(entries[3].target == "/mnt/with space");
    CHECK(find_mount_by_type(entries, "cgroup2") ==
          std::optional<std::string>("/sys/fs/cgroup/unified"));
    CHECK(is_mounted_at(entries, "/sys/fs/bpf", "bpf"));
    CHECK_FALSE(is_mounted_at(entries, "/sys/kernel/tracing", "tracefs"));
}

TEST_CASE("check report: MISSING fails, DEGRADED and INFO do not") {
    CheckReport report;
    report.add_probe("map", "ringbuf", true, "supported", Verdict::missing, "", "");
    report.add_probe("map", "sk_storage", false, "absent", Verdict::degraded, "less", "upgrade");
    report.add({"sysctl", "x", Verdict::info, "= 2", "", ""});
    CHECK(report.passed());
    CHECK(render_text(report).find("verdict: OK") != std::string::npos);
    report.add_probe("kernel", "BTF", false, "absent", Verdict::missing, "nothing loads", "fix");
    CHECK_FALSE(report.passed());
    auto json = render_json(report);
    CHECK(json["verdict"] == "NOT READY");
    CHECK(json["missing"] == 1);
    CHECK(json["checks"][3]["fix"] == "fix");
    CHECK(render_text(report).find("-> impact: nothing loads") != std::string::npos);
}
