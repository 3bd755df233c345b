// The agent tracker: processes to agent instances, exits and their codes,
// restarts, further instances of a type, CPU and run-queue totals across
// restarts, running versus idle, and what the kernel may forget.
#include <doctest/doctest.h>

#include "model/agent_tracker.h"

using namespace agentmon;

namespace {

constexpr std::uint32_t kMonitor = 10;  // MONITOR's type and base id

ProcSample proc(std::uint32_t tgid, std::uint64_t cpu_ns, std::uint64_t start_ns = 0) {
    ProcSample s;
    s.tgid = tgid;
    s.cpu_ns = cpu_ns;
    s.start_ns = start_ns;
    return s;
}

ProcSample ended(ProcSample s, std::int32_t wait_status) {
    s.exited = true;
    s.exit_code = wait_status;
    return s;
}

ProcIdentity monitor() { return ProcIdentity{kMonitor, kMonitor, "", "", ""}; }

struct Ticker {
    AgentTracker tracker{AgentRegistry{}};
    double seconds = 0;

    std::vector<std::uint32_t> tick(std::vector<ProcSample> procs,
                                    std::map<std::uint32_t, ProcIdentity> who) {
        AgentTick t;
        t.seconds = seconds += 1.0;
        t.procs = std::move(procs);
        t.identities = std::move(who);
        return tracker.update(t);
    }
    const AgentInstance& at(std::uint32_t id) const { return tracker.instances().at(id); }
};

}  // namespace

TEST_CASE("exit statuses decode as the kernel's wait status: signal low, status high") {
    CHECK(decode_exit(9).status == AgentStatus::failed);  // SIGKILL
    CHECK(decode_exit(9).signal == 9);
    CHECK(decode_exit(9).code == 137);
    CHECK(decode_exit(0x80 | 11).signal == 11);  // SIGSEGV with core dump
    CHECK(decode_exit(0).status == AgentStatus::exited);
    CHECK(decode_exit(0).code == 0);
    CHECK(decode_exit(3 << 8).status == AgentStatus::failed);
    CHECK(decode_exit(3 << 8).code == 3);
    CHECK(decode_exit(3 << 8).signal == 0);
}

TEST_CASE("a discovered process becomes its rule's agent instance, running") {
    Ticker t;
    t.tick({proc(100, 5'000'000)}, {{100, monitor()}});
    REQUIRE(t.tracker.instances().size() == 1);
    CHECK(t.at(kMonitor).tgid == 100);
    CHECK(t.at(kMonitor).type == kMonitor);
    CHECK(t.at(kMonitor).status == AgentStatus::running);
    CHECK(t.at(kMonitor).cpu_seconds == doctest::Approx(0.005));
    CHECK(t.at(kMonitor).restarts == 0);
    CHECK_FALSE(t.at(kMonitor).last_exit_code.has_value());
}

TEST_CASE("a process no rule identifies waits for discovery, and is forgotten once ended") {
    Ticker t;
    CHECK(t.tick({proc(100, 1)}, {}).empty());
    CHECK(t.tracker.instances().empty());
    CHECK(t.tick({ended(proc(100, 1), 0)}, {}) == std::vector<std::uint32_t>{100});
    CHECK(t.tracker.instances().empty());
}

TEST_CASE("running while it uses CPU, idle when it did not run since the last tick") {
    Ticker t;
    t.tick({proc(100, 1000)}, {{100, monitor()}});
    t.tick({proc(100, 501'000)}, {{100, monitor()}});
    CHECK(t.at(kMonitor).status == AgentStatus::running);
    CHECK(t.at(kMonitor).cpu_fraction == doctest::Approx(0.0005));
    t.tick({proc(100, 501'000)}, {{100, monitor()}});
    CHECK(t.at(kMonitor).status == AgentStatus::idle);
    CHECK(t.at(kMonitor).cpu_fraction == 0);
}

TEST_CASE("SIGKILL: failed with signal 9 at the tick that sees it; forgotten one tick later") {
    Ticker t;
    t.tick({proc(100, 1000)}, {{100, monitor()}});
    CHECK(t.tick({ended(proc(100, 2000), 9)}, {}).empty());
    CHECK(t.at(kMonitor).status == AgentStatus::failed);
    CHECK(t.at(kMonitor).last_exit_signal == 9);
    CHECK(t.at(kMonitor).last_exit_code == 137);
    CHECK_FALSE(t.at(kMonitor).alive());
    // The last slice arrives after the exit: it still counts.
    CHECK(t.tick({ended(proc(100, 3000), 9)}, {}) == std::vector<std::uint32_t>{100});
    CHECK(t.at(kMonitor).cpu_seconds == doctest::Approx(3e-6));
    t.tick({}, {});
    CHECK(t.at(kMonitor).status == AgentStatus::failed);
    CHECK(t.at(kMonitor).cpu_seconds == doctest::Approx(3e-6));
}

TEST_CASE("a clean exit is exited with code 0; a non-zero status is failed") {
    Ticker t;
    t.tick({proc(100, 1)}, {{100, monitor()}});
    t.tick({ended(proc(100, 1), 0)}, {});
    CHECK(t.at(kMonitor).status == AgentStatus::exited);
    CHECK(t.at(kMonitor).last_exit_code == 0);
    CHECK(t.at(kMonitor).last_exit_signal == 0);
    Ticker u;
    u.tick({proc(100, 1)}, {{100, monitor()}});
    u.tick({ended(proc(100, 1), 2 << 8)}, {});
    CHECK(u.at(kMonitor).status == AgentStatus::failed);
    CHECK(u.at(kMonitor).last_exit_code == 2);
}

TEST_CASE("a new process for an instance whose process ended is a restart; CPU carries on") {
    Ticker t;
    t.tick({proc(100, 4000)}, {{100, monitor()}});
    t.tick({ended(proc(100, 5000), 9)}, {});
    t.tick({ended(proc(100, 5000), 9), proc(200, 1000)}, {{200, monitor()}});
    CHECK(t.at(kMonitor).restarts == 1);
    CHECK(t.at(kMonitor).tgid == 200);
    CHECK(t.at(kMonitor).status == AgentStatus::running);
    CHECK(t.at(kMonitor).last_exit_signal == 9);  // how the previous one ended stays
    CHECK(t.at(kMonitor).cpu_seconds == doctest::Approx(6e-6));
    CHECK(t.tracker.instances().size() == 1);
}

TEST_CASE("exit and replacement within one tick: still one instance, one restart") {
    Ticker t;
    t.tick({proc(100, 1)}, {{100, monitor()}});
    t.tick({ended(proc(100, 1), 9), proc(200, 1)}, {{200, monitor()}});
    CHECK(t.tracker.instances().size() == 1);
    CHECK(t.at(kMonitor).restarts == 1);
    CHECK(t.at(kMonitor).tgid == 200);
}

TEST_CASE("a crash loop faster than discovery: ended processes identified by their name") {
    // The collector identifies processes discovery never saw by their kernel-kept
    // comm; here they arrive with identities and already ended.
    Ticker t;
    t.tick({proc(100, 1)}, {{100, monitor()}});
    auto forget =
        t.tick({ended(proc(100, 1), 9), ended(proc(200, 1, 10), 9), ended(proc(300, 1, 20), 9)},
               {{200, monitor()}, {300, monitor()}});
    CHECK(t.at(kMonitor).restarts == 2);
    CHECK(t.at(kMonitor).status == AgentStatus::failed);
    CHECK(t.tracker.instances().size() == 1);
}

TEST_CASE("two live processes of one type: the later one is instance 1 (id + 28)") {
    Ticker t;
    t.tick({proc(300, 1, 2000), proc(100, 1, 1000)}, {{100, monitor()}, {300, monitor()}});
    REQUIRE(t.tracker.instances().size() == 2);
    CHECK(t.at(kMonitor).tgid == 100);
    CHECK(t.at(kMonitor + 28).tgid == 300);
    CHECK(t.at(kMonitor + 28).type == kMonitor);
    // Instance 1 dies and comes back: its restart, not instance 0's.
    t.tick({proc(100, 1, 1000), ended(proc(300, 1, 2000), 9)}, {{100, monitor()}});
    t.tick({proc(100, 1, 1000), proc(400, 1, 3000)}, {{100, monitor()}, {400, monitor()}});
    CHECK(t.at(kMonitor + 28).tgid == 400);
    CHECK(t.at(kMonitor + 28).restarts == 1);
    CHECK(t.at(kMonitor).restarts == 0);
}

TEST_CASE("instance ids the registry gives another type are skipped") {
    AgentTracker tracker{AgentRegistry({{kMonitor + 28, 3, "security-eu"}})};
    AgentTick t;
    t.seconds = 1;
    t.procs = {proc(100, 1, 1), proc(200, 1, 2)};
    t.identities = {{100, monitor()}, {200, monitor()}};
    tracker.update(t);
    CHECK(tracker.instances().count(kMonitor + 28) == 0);
    CHECK(tracker.instances().at(kMonitor + 56).tgid == 200);
}

TEST_CASE("run-queue: totals over processes, mean wait over the last tick") {
    Ticker t;
    ProcSample a = proc(100, 1);
    a.runq.buckets[3] = 2;
    a.runq.sum_ns = 10'000;
    t.tick({a}, {{100, monitor()}});
    CHECK_FALSE(t.at(kMonitor).runq_delay_seconds.has_value());
    a.runq.buckets[5] = 2;  // two more waits of 20 us each
    a.runq.sum_ns = 50'000;
    t.tick({a}, {{100, monitor()}});
    REQUIRE(t.at(kMonitor).runq_delay_seconds.has_value());
    CHECK(*t.at(kMonitor).runq_delay_seconds == doctest::Approx(20e-6));
    CHECK(t.at(kMonitor).runq.count() == 4);
}

TEST_CASE("resident memory of the live process; 0 once it has ended") {
    Ticker t;
    AgentTick tick;
    tick.seconds = 1;
    tick.procs = {proc(100, 1)};
    tick.identities = {{100, monitor()}};
    tick.resident_bytes = {{100, 4096}};
    t.tracker.update(tick);
    CHECK(t.at(kMonitor).resident_bytes == 4096);
    tick.seconds = 2;
    tick.procs = {ended(proc(100, 1), 0)};
    t.tracker.update(tick);
    CHECK(t.at(kMonitor).resident_bytes == 0);
}

TEST_CASE("a process whose kernel entry vanished unannounced leaves its instance exited") {
    Ticker t;
    t.tick({proc(100, 7000)}, {{100, monitor()}});
    t.tick({}, {});
    CHECK(t.at(kMonitor).status == AgentStatus::exited);
    CHECK(t.at(kMonitor).cpu_seconds == doctest::Approx(7e-6));
}
