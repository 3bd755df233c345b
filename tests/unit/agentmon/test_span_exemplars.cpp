// Sampled spans to exemplars: a server span is processing time, a client and
// server pair the request frame's latency, in either order of arrival.
#include <doctest/doctest.h>

#include <memory>

#include "collect/span_exemplars.h"

using namespace agentmon;

namespace {

constexpr const char* kLatency = "agent_transport_latency_seconds";
constexpr const char* kProcessing = "agent_processing_time_seconds";

std::shared_ptr<ExemplarStore> store() {
    ExemplarStoreOptions o;
    o.bounds = {{kLatency, {0.001, 0.01}}, {kProcessing, {0.001, 0.01}}};
    o.selection = LabelSelection::defaults();
    return std::make_shared<ExemplarStore>(o, [] { return 1.7e9; });
}

// Requester id 1 (DIRECTOR) asks responder id 3 (SECURITY) over unix: sent at
// t, received 2 ms later, answered 5 ms after that, the reply back 1 ms later.
Span half(bool server, std::uint64_t client_id = 0x1000) {
    Span s;
    s.trace_id_high = 0x4bf92f3577b34da6;
    s.trace_id_low = 0xa3ce929d0e0e4736;
    s.server = server;
    s.span_id = server ? client_id ^ 1 : client_id;
    s.parent_span_id = server ? client_id : 0;
    const std::uint64_t t = 1'700'000'000'000'000'000;
    s.start_unix_ns = server ? t + 2'000'000 : t;
    s.end_unix_ns = server ? t + 7'000'000 : t + 8'000'000;
    s.requester_id = 1;
    s.responder_id = 3;
    s.carrier = "unix";
    return s;
}

}  // namespace

TEST_CASE("span exemplars: a server span is the responder's processing time") {
    auto exemplars = store();
    AgentRegistry registry;
    SpanExemplars spans(exemplars, registry);
    spans.offer(half(true));
    // On the responder's series: its type and instance.
    CHECK(exemplars->of_series(kProcessing, {{"agent_type", "SECURITY"}}).empty());
    auto slots =
        exemplars->of_series(kProcessing, {{"agent_type", "SECURITY"}, {"agent_id", "SECURITY"}});
    REQUIRE(slots.size() == 3);
    REQUIRE(slots[1]);  // 5 ms: (1 ms, 10 ms]
    CHECK(slots[1]->value_seconds == doctest::Approx(0.005));
    CHECK(slots[1]->span_id_hex == "0000000000001001");
    CHECK(slots[1]->trace_id_hex == "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("span exemplars: a client and server pair is the request's latency") {
    for (bool server_first : {true, false}) {
        auto exemplars = store();
        AgentRegistry registry;
        SpanExemplars spans(exemplars, registry);
        spans.offer(half(server_first));
        CHECK(exemplars->of_series(kLatency, {{"carrier", "unix"}, {"target_agent", "SECURITY"}})
                  .empty());
        spans.offer(half(!server_first));
        auto slots =
            exemplars->of_series(kLatency, {{"carrier", "unix"}, {"target_agent", "SECURITY"}});
        REQUIRE(slots.size() == 3);
        REQUIRE(slots[1]);  // 2 ms
        CHECK(slots[1]->value_seconds == doctest::Approx(0.002));
        CHECK(slots[1]->span_id_hex == "0000000000001001");  // the receiving side's
    }
}

TEST_CASE("span exemplars: unmatched halves are bounded") {
    auto exemplars = store();
    AgentRegistry registry;
    SpanExemplars spans(exemplars, registry, 2);
    spans.offer(half(false, 0x10));
    spans.offer(half(false, 0x20));
    spans.offer(half(false, 0x30));  // forgets 0x10
    spans.offer(half(true, 0x10));
    CHECK(exemplars->of_series(kLatency, {{"carrier", "unix"}, {"target_agent", "SECURITY"}})
              .empty());
    spans.offer(half(true, 0x30));
    CHECK_FALSE(exemplars->of_series(kLatency, {{"carrier", "unix"}, {"target_agent", "SECURITY"}})
                    .empty());
}
