// The standard process_* families: /proc/self/stat's start time and vsize fields.
#include <doctest/doctest.h>

#include <ctime>
#include <map>
#include <string>

#include "collect/process_families.h"

using namespace agentmon;

TEST_CASE("parse_stat_start_and_vsize counts fields from the last ')'") {
    // A comm with spaces and a ')' of its own; fields 22 (starttime) and 23 (vsize).
    const std::string line =
        "1234 (a) b c) S 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 5 0 "
        "987654 123456789 400 18446744073709551615";
    auto times = parse_stat_start_and_vsize(line);
    REQUIRE(times.has_value());
    CHECK(times->start_ticks == 987654);
    CHECK(times->vsize_bytes == 123456789);
    CHECK_FALSE(parse_stat_start_and_vsize("1234 (short) S 1 2 3").has_value());
    CHECK_FALSE(parse_stat_start_and_vsize("no parenthesis").has_value());
}

TEST_CASE("add_standard_process_families reads this process") {
    SnapshotBuilder builder;
    REQUIRE(add_standard_process_families(builder).ok());
    Snapshot snapshot = std::move(builder).build();
    std::map<std::string, double> values;
    for (const auto& family : snapshot.families) {
        REQUIRE(family.metric.size() == 1);
        const auto& m = family.metric[0];
        values[family.name] =
            family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
    CHECK(values.size() == 6);
    CHECK(values["process_open_fds"] >= 3);
    CHECK(values["process_max_fds"] >= values["process_open_fds"]);
    CHECK(values["process_virtual_memory_bytes"] >= values["process_resident_memory_bytes"]);
    const double now = double(std::time(nullptr));
    CHECK(values["process_start_time_seconds"] > now - 3600);
    CHECK(values["process_start_time_seconds"] <= now + 1);
}
