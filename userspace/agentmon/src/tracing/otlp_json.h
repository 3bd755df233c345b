#pragma once
// OTLP's JSON encoding of spans (an ExportTraceServiceRequest, as OTLP/HTTP takes
// it with Content-Type application/json): one resourceSpans per agent, its
// service.name the agent's instance name, so a trace viewer shows which agent did
// what. Ids are hex strings and 64-bit integers decimal strings, as OTLP/JSON says.
#include <string>
#include <vector>

#include "tracing/span.h"

namespace agentmon {

std::string otlp_json(const std::vector<Span>& spans);

}  // namespace agentmon
