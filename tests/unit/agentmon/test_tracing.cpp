// Tracing's pure parts: the ids both ends derive, the sampling threshold, the
// span a kernel record becomes, its OTLP/JSON form, the tracing config, and the
// exporter's bounded queue against an endpoint that is not there.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include <nlohmann/json.hpp>

#include "abi/trace_context.h"
#include "config/config.h"
#include "tracing/otlp_json.h"
#include "tracing/span.h"
#include "tracing/span_exporter.h"

using namespace agentmon;

namespace {

span_record record(std::uint32_t kind) {
    span_record r{};
    r.key.tgid = 4242;
    r.key.requester = 1;
    r.key.sequence = 77;
    r.key.kind = kind;
    r.open.start_ns = 1'000'000'000;
    r.open.responder = 2;
    r.open.request_bytes = 232;
    r.open.msg_type = 8;  // TASK
    r.open.priority = 2;
    r.open.carrier = CARRIER_UNIX;
    r.end_ns = 1'005'000'000;
    r.reply_bytes = 232;
    r.reply_type = 9;  // RESULT
    return r;
}

}  // namespace

TEST_CASE("span ids: client and server differ in the low bit, never 0 or 1") {
    for (std::uint64_t seq = 0; seq < 10000; ++seq) {
        const std::uint64_t id = trace_span_id(static_cast<std::uint32_t>(seq % 29), seq);
        CHECK((id & 1) == 0);
        CHECK(id > 1);
    }
    CHECK(trace_span_id(1, 1) != trace_span_id(2, 1));
    CHECK(trace_span_id(1, 1) != trace_span_id(1, 2));
}

TEST_CASE("the sampling threshold takes the configured share of requests") {
    TracingConfig config;
    CHECK(config.kernel_threshold() == 0);  // no endpoint: off
    config.endpoint = "http://127.0.0.1:4318/v1/traces";
    for (double ratio : {0.001, 0.01, 0.25, 1.0}) {
        config.sample_ratio = ratio;
        const std::uint64_t threshold = config.kernel_threshold();
        int sampled = 0;
        const int n = 200000;
        for (int seq = 1; seq <= n; ++seq)
            sampled += trace_sampled(trace_span_id(1 + seq % 4, seq), threshold);
        const double sd = std::sqrt(n * ratio * (1 - ratio));
        CHECK(std::abs(sampled - n * ratio) <= 4 * sd + 1);
    }
}

TEST_CASE("a kernel record becomes a client or server span of one trace") {
    AgentRegistry registry;
    const Span client = to_span(record(SPAN_CLIENT), registry, 0);
    const Span server = to_span(record(SPAN_SERVER), registry, 0);
    CHECK(client.trace_id_hex() == server.trace_id_hex());
    CHECK(client.span_id == trace_span_id(1, 77));
    CHECK(server.span_id == (client.span_id ^ 1));
    CHECK(server.parent_span_id == client.span_id);
    CHECK(client.parent_span_id == 0);
    CHECK(client.requester == "DIRECTOR");
    CHECK(client.responder == "PROJECT_ORCHESTRATOR");
    CHECK(client.service() == "DIRECTOR");
    CHECK(client.responder_type == "PROJECT_ORCHESTRATOR");
    CHECK(server.service() == "PROJECT_ORCHESTRATOR");
    CHECK(client.msg_type == "TASK");
    CHECK(client.reply_type == "RESULT");
    CHECK(client.duration_seconds() == doctest::Approx(0.005));

    span_record chained = record(SPAN_CLIENT);
    chained.open.root = trace_span_id(3, 5);
    chained.open.parent = trace_span_id(3, 5) ^ 1;
    const Span child = to_span(chained, registry, 0);
    CHECK(child.trace_id_high == trace_span_id(3, 5));
    CHECK(child.parent_span_id == (trace_span_id(3, 5) ^ 1));
}

TEST_CASE("OTLP/JSON: one resource per agent, hex ids, decimal-string times") {
    AgentRegistry registry;
    const Span client = to_span(record(SPAN_CLIENT), registry, 1'700'000'000'000'000'000LL);
    const Span server = to_span(record(SPAN_SERVER), registry, 1'700'000'000'000'000'000LL);
    const auto doc = nlohmann::json::parse(otlp_json({client, server}));
    REQUIRE(doc["resourceSpans"].size() == 2);
    const auto& first = doc["resourceSpans"][0];
    CHECK(first["resource"]["attributes"][0]["key"] == "service.name");
    CHECK(first["resource"]["attributes"][0]["value"]["stringValue"] == "DIRECTOR");
    const auto& span = first["scopeSpans"][0]["spans"][0];
    CHECK(span["traceId"].get<std::string>().size() == 32);
    CHECK(span["spanId"] == client.span_id_hex());
    CHECK(!span.contains("parentSpanId"));
    CHECK(span["kind"] == 3);
    CHECK(span["startTimeUnixNano"] == "1700000001000000000");
    CHECK(span["endTimeUnixNano"] == "1700000001005000000");
    const auto& server_span = doc["resourceSpans"][1]["scopeSpans"][0]["spans"][0];
    CHECK(server_span["kind"] == 2);
    CHECK(server_span["parentSpanId"] == client.span_id_hex());
}

TEST_CASE("tracing config: keys, ranges, unknown keys") {
    Config config;
    std::vector<std::string> problems;
    apply_config_json(R"({"tracing": {"endpoint": "http://127.0.0.1:4318/v1/traces",
                                      "sample_ratio": 0.5, "context": false, "queue_spans": 100}})",
                      config, problems);
    CHECK(problems.empty());
    CHECK(config.tracing.enabled());
    CHECK(config.tracing.sample_ratio == 0.5);
    CHECK(!config.tracing.context);
    CHECK(config.tracing.queue_spans == 100);
    CHECK(config.validate().empty());

    Config bad;
    apply_config_json(R"({"tracing": {"endpoint": "127.0.0.1:4318", "sample_ratio": 2,
                                      "ratio": 1}})",
                      bad, problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].rfind("tracing.ratio: unknown key", 0) == 0);
    const auto invalid = bad.validate();
    REQUIRE(invalid.size() == 2);
    CHECK(invalid[0].rfind("tracing.sample_ratio", 0) == 0);
    CHECK(invalid[1].rfind("tracing.endpoint", 0) == 0);
}

TEST_CASE("the exporter never blocks and bounds its queue when the endpoint is down") {
    SpanExporterOptions options;
    options.endpoint = "http://127.0.0.1:1/v1/traces";  // nothing listens on port 1
    options.queue_spans = 100;
    options.batch_spans = 10;
    options.flush_interval = std::chrono::milliseconds(10);
    options.first_backoff = std::chrono::milliseconds(5);
    options.max_backoff = std::chrono::milliseconds(10);
    options.attempts = 2;
    SpanExporter exporter(options);
    AgentRegistry registry;
    const Span s = to_span(record(SPAN_CLIENT), registry, 0);
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) exporter.offer(std::vector<Span>(10, s));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(200));
    CHECK(exporter.queued() <= 100);
    CHECK(exporter.queue_full() >= 300);
    for (int i = 0; i < 200 && exporter.export_failed() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(exporter.export_failed() > 0);
    CHECK(exporter.exported() == 0);
}
