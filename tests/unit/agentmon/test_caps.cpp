// Capability parsing from injected /proc/<pid>/status text.
#include <doctest/doctest.h>

#include <sstream>

#include "base/caps.h"

using namespace agentmon;

TEST_CASE("parse_cap_eff reads the CapEff hex mask of a root process") {
    std::istringstream status(
        "Name:\tagentmon\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
        "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n");
    auto mask = parse_cap_eff(status);
    REQUIRE(mask.has_value());
    CHECK(*mask == 0x000001ffffffffffULL);
    CHECK(has_cap(*mask, kCapBpf));
    CHECK(has_cap(*mask, kCapPerfmon));
    CHECK(has_cap(*mask, kCapSysAdmin));
}

TEST_CASE("parse_cap_eff: exactly CAP_BPF and CAP_PERFMON") {
    // bits 38 and 39
    std::istringstream status("CapEff:\t000000c000000000\n");
    auto mask = parse_cap_eff(status);
    REQUIRE(mask.has_value());
    CHECK(has_cap(*mask, kCapBpf));
    CHECK(has_cap(*mask, kCapPerfmon));
    CHECK_FALSE(has_cap(*mask, kCapSysAdmin));
    CHECK_FALSE(has_cap(*mask, kCapSysPtrace));
    CHECK_FALSE(has_cap(*mask, kCapSysResource));
}

TEST_CASE("parse_cap_eff: unprivileged process has an empty mask") {
    std::istringstream status("CapEff:\t0000000000000000\n");
    CHECK(parse_cap_eff(status) == std::optional<std::uint64_t>(0));
}

TEST_CASE("parse_cap_eff rejects missing or malformed lines") {
    std::istringstream missing("Name:\tx\nCapPrm:\t0000000000000000\n");
    CHECK_FALSE(parse_cap_eff(missing).has_value());
    std::istringstream not_hex("CapEff:\tzzzz\n");
    CHECK_FALSE(parse_cap_eff(not_hex).has_value());
    std::istringstream too_long("CapEff:\t00000000000000000000\n");
    CHECK_FALSE(parse_cap_eff(too_long).has_value());
    std::istringstream empty("CapEff:\t\n");
    CHECK_FALSE(parse_cap_eff(empty).has_value());
}

TEST_CASE("has_cap ignores out-of-range bits") {
    CHECK_FALSE(has_cap(~0ULL, 64));
    CHECK_FALSE(has_cap(~0ULL, -1));
}

TEST_CASE("cap_name names the capabilities agentmon checks") {
    CHECK(cap_name(kCapBpf) == "CAP_BPF");
    CHECK(cap_name(kCapPerfmon) == "CAP_PERFMON");
    CHECK(cap_name(kCapSysAdmin) == "CAP_SYS_ADMIN");
    CHECK(cap_name(kCapSysPtrace) == "CAP_SYS_PTRACE");
    CHECK(cap_name(kCapSysResource) == "CAP_SYS_RESOURCE");
}
