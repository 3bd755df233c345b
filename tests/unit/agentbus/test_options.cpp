// Flag parsing: defaults, accepted forms, and the errors that exit with 2.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "options.h"

using namespace agentbus;

namespace {
ParseResult parse(const std::vector<const char*>& args) {
    std::vector<const char*> argv{"agentbus"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_options(int(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("defaults: 28 agents, all carriers, 64-byte payloads") {
    auto r = parse({});
    REQUIRE(r.options);
    CHECK(r.options->agents == 28);
    CHECK(r.options->carrier_count() == 4);
    CHECK(r.options->payload_min == 64);
    CHECK(r.options->payload_max == 64);
    CHECK(r.options->tcp_port == 9999);
    CHECK(r.options->ring_size == (1u << 20));
    CHECK(r.options->ns == "agentbus");
}

TEST_CASE("carrier lists, payload ranges and faults parse") {
    auto r = parse({"--carrier", "unix,ring", "--payload", "16:4096", "--fault", "crash:MONITOR",
                    "--fault", "slow:3", "--fault", "flood"});
    REQUIRE(r.options);
    CHECK(r.options->carrier_on[int(Carrier::kUnix)]);
    CHECK_FALSE(r.options->carrier_on[int(Carrier::kTcp)]);
    CHECK(r.options->carrier_on[int(Carrier::kRing)]);
    CHECK(r.options->payload_min == 16);
    CHECK(r.options->payload_max == 4096);
    REQUIRE(r.options->faults.size() == 3);
    CHECK(r.options->faults[0].kind == FaultKind::kCrash);
    CHECK(r.options->faults[0].agent == 10);
    CHECK(r.options->faults[1].agent == 3);
    CHECK(r.options->faults[2].agent == 1);
}

TEST_CASE("degrade takes an agent and a ramp; burst defaults to every agent") {
    auto r = parse({"--rate", "1000", "--fault", "degrade:MONITOR:2.5", "--fault", "degrade:4",
                    "--fault", "burst", "--fault", "burst:3", "--fault", "restart:DIRECTOR"});
    REQUIRE(r.options);
    const auto& f = r.options->faults;
    REQUIRE(f.size() == 5);
    CHECK(f[0].kind == FaultKind::kDegrade);
    CHECK(f[0].agent == 10);
    CHECK(f[0].seconds == doctest::Approx(2.5));
    CHECK(f[1].agent == 4);
    CHECK(f[1].seconds == doctest::Approx(kDefaultDegradeSeconds));
    CHECK(f[2].kind == FaultKind::kBurst);
    CHECK(f[2].agent == kAllAgents);
    CHECK(f[2].applies_to(1));
    CHECK(f[2].applies_to(28));
    CHECK(f[3].agent == 3);
    CHECK_FALSE(f[3].applies_to(4));
    CHECK(f[4].kind == FaultKind::kRestart);
    CHECK(f[4].agent == 1);
    CHECK(f[4].seconds == 0);
}

TEST_CASE("parse_fault: SECONDS only for degrade, and a positive number") {
    Fault f{};
    CHECK(parse_fault("degrade:2:0.5", 4, &f).empty());
    CHECK(f.seconds == doctest::Approx(0.5));
    CHECK(parse_fault("degrade", 4, &f).empty());
    CHECK(f.agent == 1);
    CHECK(parse_fault("degrade:2:0", 4, &f).find("SECONDS") != std::string::npos);
    CHECK(parse_fault("degrade:2:-1", 4, &f).find("SECONDS") != std::string::npos);
    CHECK(parse_fault("degrade:2:soon", 4, &f).find("soon") != std::string::npos);
    CHECK(parse_fault("degrade:9:5", 4, &f).find("'9'") != std::string::npos);
    // Only degrade splits off a ramp; for the others "2:5" is not an agent.
    CHECK(parse_fault("slow:2:5", 4, &f).find("2:5") != std::string::npos);
}

TEST_CASE("bad flags exit with 2 and say what is wrong") {
    struct Case {
        std::vector<const char*> args;
        const char* needle;
    };
    for (const auto& c : std::vector<Case>{
             {{"--carrier", "pigeon"}, "pigeon"},
             {{"--agents", "1"}, "agents"},
             {{"--agents", "abc"}, "agents"},
             {{"--payload", "10:5"}, "MIN"},
             {{"--payload", "x"}, "payload"},
             {{"--payload", "20000000"}, "16 MiB"},
             {{"--fault", "explode"}, "explode"},
             {{"--fault", "crash:NOBODY"}, "NOBODY"},
             {{"--fault", "crash:99"}, "99"},
             {{"--ring-size", "5000"}, "power of two"},
             {{"--batch", "0"}, "batch"},
             {{"--namespace", "a/b"}, "--namespace"},
             {{"--no-such-flag"}, "no-such-flag"},
             {{"--messages", "10", "--duration", "1"}, "exclude"},
             {{"--carrier", "tcp", "--fault", "unauthorized"}, "unix"},
             {{"--fault", "burst"}, "--rate"},
             {{"--fault", "degrade:2:x"}, "SECONDS"},
             {{"--duration", "3", "--fault", "degrade:2:5"}, "--duration"},
             {{"--fault", "restart:NOBODY"}, "NOBODY"},
             {{"--fault", "crash:2x"}, "2x"},
             {{"--payload", "8x"}, "payload"},
         }) {
        auto r = parse(c.args);
        CAPTURE(c.needle);
        CHECK_FALSE(r.options);
        CHECK(r.exit_code == 2);
        CHECK(r.message.find(c.needle) != std::string::npos);
    }
}

TEST_CASE("--help and --version exit 0 with text") {
    auto h = parse({"--help"});
    CHECK_FALSE(h.options);
    CHECK(h.exit_code == 0);
    CHECK(h.message.find("--carrier") != std::string::npos);
    auto v = parse({"--version"});
    CHECK(v.exit_code == 0);
    CHECK(v.message.find("agentbus") != std::string::npos);
}
