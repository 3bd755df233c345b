// agent_health_score: each input's penalty at and around its thresholds, missing
// inputs neutral, the floor at 0, and a dead agent at 0.
#include <doctest/doctest.h>

#include "analytics/health.h"

using namespace agentmon;

TEST_CASE("an agent with no inputs but a live process scores 100") {
    CHECK(health_score(HealthInputs{}) == 100);
}

TEST_CASE("an agent without a running process scores 0, whatever else it reports") {
    HealthInputs in;
    in.alive = false;
    in.cpu_fraction = 0.0;
    CHECK(health_score(in) == 0);
}

TEST_CASE("error ratio: free up to the 0.1 % SLO, linear to 40 at 10 %") {
    struct Case {
        double ratio, penalty;
    };
    const Case cases[] = {{0.0, 0}, {0.001, 0}, {0.0505, 20}, {0.10, 40}, {0.5, 40}};
    for (const auto& c : cases) {
        HealthInputs in;
        in.error_ratio = c.ratio;
        CAPTURE(c.ratio);
        CHECK(health_penalties(in).errors == doctest::Approx(c.penalty));
    }
}

TEST_CASE("step penalties: queue, run-queue delay, CPU, silence at their thresholds") {
    struct Case {
        const char* what;
        void (*set)(HealthInputs&, double);
        double (*get)(const HealthPenalties&);
        double value, penalty;
    };
    auto queue = [](HealthInputs& in, double v) { in.queue_depth = v; };
    auto runq = [](HealthInputs& in, double v) { in.runq_delay_seconds = v; };
    auto cpu = [](HealthInputs& in, double v) { in.cpu_fraction = v; };
    auto silence = [](HealthInputs& in, double v) { in.seconds_since_sent = v; };
    auto q = [](const HealthPenalties& p) { return p.queue; };
    auto s = [](const HealthPenalties& p) { return p.starvation; };
    auto c = [](const HealthPenalties& p) { return p.cpu; };
    auto l = [](const HealthPenalties& p) { return p.silence; };
    const Case cases[] = {
        {"queue 50", queue, q, 50, 0},       {"queue 51", queue, q, 51, 15},
        {"queue 100", queue, q, 100, 15},    {"queue 101", queue, q, 101, 30},
        {"runq 10 ms", runq, s, 0.010, 0},   {"runq 11 ms", runq, s, 0.011, 10},
        {"runq 50 ms", runq, s, 0.050, 10},  {"runq 51 ms", runq, s, 0.051, 20},
        {"cpu 60 %", cpu, c, 0.60, 0},       {"cpu 61 %", cpu, c, 0.61, 10},
        {"cpu 80 %", cpu, c, 0.80, 10},      {"cpu 81 %", cpu, c, 0.81, 20},
        {"silent 30 s", silence, l, 30, 0},  {"silent 31 s", silence, l, 31, 25},
        {"silent 60 s", silence, l, 60, 25}, {"silent 61 s", silence, l, 61, 50},
    };
    for (const auto& k : cases) {
        HealthInputs in;
        k.set(in, k.value);
        CAPTURE(k.what);
        CHECK(k.get(health_penalties(in)) == k.penalty);
        CHECK(health_score(in) == 100 - k.penalty);
    }
}

TEST_CASE("unanswered requests cost 2 each, at most 20") {
    HealthInputs in;
    in.unanswered_requests = 3;
    CHECK(health_penalties(in).unanswered == 6);
    in.unanswered_requests = 50;
    CHECK(health_penalties(in).unanswered == 20);
}

TEST_CASE("penalties add up and the score floors at 0") {
    HealthInputs in;
    in.cpu_fraction = 0.9;         // 20
    in.runq_delay_seconds = 0.02;  // 10
    CHECK(health_score(in) == 70);
    in.error_ratio = 1.0;         // 40
    in.queue_depth = 1000;        // 30
    in.seconds_since_sent = 120;  // 50
    CHECK(health_penalties(in).total() == 150);
    CHECK(health_score(in) == 0);
}
