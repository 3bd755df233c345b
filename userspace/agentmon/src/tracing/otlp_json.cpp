#include "tracing/otlp_json.h"

#include <map>

#include <nlohmann/json.hpp>

#include "base/version.h"

namespace agentmon {

namespace {

using nlohmann::json;

constexpr int kSpanKindServer = 2;  // opentelemetry.proto.trace.v1.Span.SpanKind
constexpr int kSpanKindClient = 3;

json string_attr(const char* key, const std::string& value) {
    return {{"key", key}, {"value", {{"stringValue", value}}}};
}

json int_attr(const char* key, std::uint64_t value) {
    return {{"key", key}, {"value", {{"intValue", std::to_string(value)}}}};
}

json span_json(const Span& s) {
    json span = {
        {"traceId", s.trace_id_hex()},
        {"spanId", s.span_id_hex()},
        {"name", s.msg_type},
        {"kind", s.server ? kSpanKindServer : kSpanKindClient},
        {"startTimeUnixNano", std::to_string(s.start_unix_ns)},
        {"endTimeUnixNano", std::to_string(s.end_unix_ns)},
        {"attributes",
         json::array({string_attr("agen.source_agent", s.requester),
                      string_attr("agen.target_agent", s.responder),
                      int_attr("agen.source_agent_id", s.requester_id),
                      int_attr("agen.target_agent_id", s.responder_id),
                      string_attr("agen.msg_type", s.msg_type),
                      string_attr("agen.reply_type", s.reply_type),
                      string_attr("agen.priority", s.priority),
                      string_attr("agen.carrier", s.carrier), int_attr("agen.sequence", s.sequence),
                      int_attr("agen.request_bytes", s.request_bytes),
                      int_attr("agen.reply_bytes", s.reply_bytes),
                      int_attr("process.pid", s.pid)})},
    };
    if (s.parent_span_id) span["parentSpanId"] = s.parent_span_id_hex();
    return span;
}

}  // namespace

std::string otlp_json(const std::vector<Span>& spans) {
    std::map<std::string, json> by_service;
    for (const Span& s : spans) {
        json& list = by_service[s.service()];
        if (list.is_null()) list = json::array();
        list.push_back(span_json(s));
    }
    json resource_spans = json::array();
    for (auto& [service, list] : by_service) {
        resource_spans.push_back(
            {{"resource", {{"attributes", json::array({string_attr("service.name", service)})}}},
             {"scopeSpans", json::array({{{"scope", {{"name", "agentmon"}, {"version", kVersion}}},
                                          {"spans", std::move(list)}}})}});
    }
    return json{{"resourceSpans", std::move(resource_spans)}}.dump();
}

}  // namespace agentmon
