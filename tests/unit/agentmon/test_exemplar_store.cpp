// The exemplar store: which bucket and series an offered span lands on, that the
// latest one per bucket wins, that capacity and age bound it, and what it drops.
#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "metrics/exemplar_store.h"

using namespace agentmon;

namespace {

constexpr const char* kLatency = "agent_transport_latency_seconds";
constexpr const char* kProcessing = "agent_processing_time_seconds";
const std::vector<double> kBounds = {0.001, 0.01, 0.1};

struct FakeClock {
    double now = 1733112345.0;
    ExemplarStore::Clock clock() {
        return [this] { return now; };
    }
};

// A trace id and a span id that differ by `n`.
Exemplar span(int n, double seconds, double at = 1733112345.0) {
    std::string trace = "4bf92f3577b34da6a3ce929d0e0e" + std::to_string(1000 + n);
    std::string id = "00f067aa0ba9" + std::to_string(1000 + n);
    return Exemplar{trace, id, seconds, at};
}

const ExemplarStore::Labels kFrame = {{"source_agent", "planner"},
                                      {"target_agent", "executor"},
                                      {"msg_type", "REQUEST"},
                                      {"priority", "HIGH"},
                                      {"carrier", "unix"}};

ExemplarStoreOptions options(LabelSelection selection = {}, std::size_t capacity = 4096) {
    ExemplarStoreOptions o;
    o.bounds = {{kLatency, kBounds}, {kProcessing, kBounds}};
    o.selection = std::move(selection);
    o.capacity = capacity;
    o.max_age_seconds = 60;
    return o;
}

const LabelSet kFullSeries = {
    {"source_agent", "planner"}, {"target_agent", "executor"}, {"carrier", "unix"}};

}  // namespace

TEST_CASE("exemplar store: a span lands in the bucket its duration falls in") {
    FakeClock clock;
    ExemplarStore store(options(), clock.clock());
    store.offer(kLatency, kFrame, span(1, 0.0052));  // (0.001, 0.01]
    store.offer(kLatency, kFrame, span(2, 0.01));    // le is inclusive
    store.offer(kLatency, kFrame, span(3, 7.5));     // above every bound: +Inf
    auto slots = store.of_series(kLatency, kFullSeries);
    REQUIRE(slots.size() == 4);
    CHECK_FALSE(slots[0]);
    REQUIRE(slots[1]);
    CHECK(slots[1]->span_id_hex == "00f067aa0ba91002");  // the later of the two in it
    CHECK(slots[1]->value_seconds == doctest::Approx(0.01));
    CHECK_FALSE(slots[2]);
    REQUIRE(slots[3]);
    CHECK(slots[3]->trace_id_hex == "4bf92f3577b34da6a3ce929d0e0e1003");
    CHECK(store.size() == 2);
}

TEST_CASE("exemplar store: the series is the one the family exports after label selection") {
    FakeClock clock;
    ExemplarStore store(options(LabelSelection::defaults()), clock.clock());
    store.offer(kLatency, kFrame, span(1, 0.0005));
    // The shipped defaults keep target_agent and carrier on the latency family.
    CHECK(store.of_series(kLatency, kFullSeries).empty());
    const LabelSet exported = {{"target_agent", "executor"}, {"carrier", "unix"}};
    auto slots = store.of_series(kLatency, exported);
    REQUIRE(slots.size() == 4);
    CHECK(slots[0]);
    // Processing time is by agent_type and agent_id; a span without them cannot be placed.
    store.offer(kProcessing, kFrame, span(2, 0.0005));
    store.offer(kProcessing, {{"agent_type", "executor"}}, span(2, 0.0005));
    CHECK(store.size() == 1);
    const LabelSet responder = {{"agent_type", "executor"}, {"agent_id", "executor_1"}};
    store.offer(kProcessing, ExemplarStore::Labels(responder.begin(), responder.end()),
                span(3, 0.05));
    REQUIRE(store.of_series(kProcessing, responder).size() == 4);
    CHECK(store.of_series(kProcessing, responder)[2]);
}

TEST_CASE("exemplar store: malformed offers and other families are dropped") {
    FakeClock clock;
    ExemplarStore store(options(), clock.clock());
    store.offer("agent_transport_message_size_bytes", kFrame, span(1, 0.001));
    store.offer("no_such_family", kFrame, span(1, 0.001));
    Exemplar short_trace = span(1, 0.001);
    short_trace.trace_id_hex.pop_back();
    store.offer(kLatency, kFrame, short_trace);
    Exemplar zero = span(1, 0.001);
    zero.trace_id_hex = std::string(32, '0');
    store.offer(kLatency, kFrame, zero);
    Exemplar not_hex = span(1, 0.001);
    not_hex.span_id_hex[0] = 'g';
    store.offer(kLatency, kFrame, not_hex);
    store.offer(kLatency, kFrame, span(1, -0.5));
    store.offer(kLatency, kFrame, span(1, std::numeric_limits<double>::quiet_NaN()));
    CHECK(store.size() == 0);
    CHECK_FALSE(store.takes("agent_transport_message_size_bytes"));
    CHECK(store.takes(kLatency));

    Exemplar upper = span(1, 0.001);
    upper.trace_id_hex = "4BF92F3577B34DA6A3CE929D0E0E4736";
    store.offer(kLatency, kFrame, upper);
    auto slots = store.of_series(kLatency, kFullSeries);
    REQUIRE(slots.size() == 4);
    REQUIRE(slots[0]);
    CHECK(slots[0]->trace_id_hex == "4bf92f3577b34da6a3ce929d0e0e4736");  // one spelling
}

TEST_CASE("exemplar store: capacity evicts the least recently offered") {
    FakeClock clock;
    ExemplarStore store(options({}, 3), clock.clock());
    for (int agent = 0; agent < 5; ++agent) {
        ExemplarStore::Labels labels = kFrame;
        labels[1].second = "agent" + std::to_string(agent);
        store.offer(kLatency, labels, span(agent, 0.0005));
    }
    CHECK(store.size() == 3);
    auto series_of = [](int agent) {
        LabelSet s = kFullSeries;
        s["target_agent"] = "agent" + std::to_string(agent);
        return s;
    };
    CHECK(store.of_series(kLatency, series_of(0)).empty());
    CHECK(store.of_series(kLatency, series_of(1)).empty());
    CHECK_FALSE(store.of_series(kLatency, series_of(2)).empty());
    CHECK_FALSE(store.of_series(kLatency, series_of(4)).empty());
}

TEST_CASE("exemplar store: exemplars expire after max age") {
    FakeClock clock;
    ExemplarStore store(options(), clock.clock());
    store.offer(kLatency, kFrame, span(1, 0.0005));
    clock.now += 30;
    store.offer(kLatency, kFrame, span(2, 0.05));
    clock.now += 40;  // the first is 70 s old, the second 40 s
    auto slots = store.of_series(kLatency, kFullSeries);
    REQUIRE(slots.size() == 4);
    CHECK_FALSE(slots[0]);
    CHECK(slots[2]);
    clock.now += 30;
    CHECK(store.of_series(kLatency, kFullSeries).empty());
    store.offer(kLatency, kFrame, span(3, 0.5));  // an offer sweeps the expired
    CHECK(store.size() == 1);
}

TEST_CASE("exemplar store: concurrent offers and lookups") {
    ExemplarStore store(options({}, 64));
    std::thread writer([&] {
        for (int i = 0; i < 20000; ++i) {
            ExemplarStore::Labels labels = kFrame;
            labels[1].second = "agent" + std::to_string(i % 100);
            store.offer(kLatency, labels, span(i % 1000, 0.0001 * (i % 2000)));
        }
    });
    std::size_t seen = 0;
    for (int i = 0; i < 20000; ++i) {
        LabelSet s = kFullSeries;
        s["target_agent"] = "agent" + std::to_string(i % 100);
        for (const auto& slot : store.of_series(kLatency, s)) seen += slot ? 1 : 0;
    }
    writer.join();
    CHECK(store.size() <= 64);
    CHECK(seen <= 20000u * 4u);
}
