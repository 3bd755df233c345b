// /proc/self/stat and /proc/self/status parsing from injected text.
#include <doctest/doctest.h>

#include <sstream>

#include "base/procfs.h"

using namespace agentmon;

namespace {
// Fields 1..24 of a real /proc/<pid>/stat line (the rest is irrelevant here).
const char* kStat =
    "4242 (agentmon) S 1 4242 4242 0 -1 4194560 1234 0 0 0 "
    "150 25 0 0 20 0 7 0 123456 104857600 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 "
    "1 0 0 0 0 0";
}  // namespace

TEST_CASE("parse_proc_stat reads utime, stime and rss") {
    auto stat = parse_proc_stat(kStat);
    REQUIRE(stat.has_value());
    CHECK(stat->utime_ticks == 150);
    CHECK(stat->stime_ticks == 25);
    CHECK(stat->rss_pages == 2048);
}

TEST_CASE("parse_proc_stat counts fields from the last ')' of the command name") {
    // A comm with spaces and parentheses must not shift the fields.
    auto stat =
        parse_proc_stat("77 (evil) name (x) R 1 77 77 0 -1 0 0 0 0 0 9 8 0 0 20 0 1 0 1 4096 12 0");
    REQUIRE(stat.has_value());
    CHECK(stat->utime_ticks == 9);
    CHECK(stat->stime_ticks == 8);
    CHECK(stat->rss_pages == 12);
}

TEST_CASE("parse_proc_stat rejects truncated or garbled lines") {
    CHECK_FALSE(parse_proc_stat("").has_value());
    CHECK_FALSE(parse_proc_stat("1 (x) S 1 2 3").has_value());
    CHECK_FALSE(parse_proc_stat("no parenthesis at all").has_value());
    CHECK_FALSE(
        parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 8 0 0 20 0 1 0 1 4096 12 0").has_value());
}

TEST_CASE("parse_vm_rss_bytes converts VmRSS kB to bytes") {
    std::istringstream status("Name:\tagentmon\nVmPeak:\t  20000 kB\nVmRSS:\t    5080 kB\n");
    CHECK(parse_vm_rss_bytes(status) == std::optional<std::uint64_t>(5080ULL * 1024));
}

TEST_CASE("parse_vm_rss_bytes: kernel threads have no VmRSS line") {
    std::istringstream status("Name:\tkthreadd\nState:\tS (sleeping)\n");
    CHECK_FALSE(parse_vm_rss_bytes(status).has_value());
}

TEST_CASE("read_self_usage reads this test process") {
    auto usage = read_self_usage();
    REQUIRE(usage.ok());
    CHECK(usage->resident_bytes > 0);
    CHECK(usage->cpu_seconds >= 0);
}

TEST_CASE("parse_proc_stat reads the state, threads, start time and exit code") {
    auto stat = parse_proc_stat(kStat);
    REQUIRE(stat.has_value());
    CHECK(stat->state == 'S');
    CHECK(stat->num_threads == 7);
    CHECK(stat->start_ticks == 123456);
    CHECK_FALSE(stat->exit_code.has_value());  // the line stops before field 52
    // A zombie killed by SIGKILL: field 52 holds the wait status 9.
    std::string zombie = "77 (AG_X) Z 1 77 77 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 500 0 0";
    for (int field = 25; field <= 51; ++field) zombie += " 0";
    zombie += " 9";
    auto dead = parse_proc_stat(zombie);
    REQUIRE(dead.has_value());
    CHECK(dead->state == 'Z');
    CHECK(dead->exit_code == std::optional<std::int32_t>(9));
}

TEST_CASE("parse_schedstat reads run time, run-queue delay and timeslices") {
    auto s = parse_schedstat("123456789 2000 37\n");
    REQUIRE(s.has_value());
    CHECK(s->runtime_ns == 123456789);
    CHECK(s->run_delay_ns == 2000);
    CHECK(s->timeslices == 37);
    CHECK_FALSE(parse_schedstat("").has_value());
    CHECK_FALSE(parse_schedstat("1 2").has_value());
    CHECK_FALSE(parse_schedstat("1 x 3").has_value());
}
