#pragma once
// Which exposition format /metrics answers in, from the request's Accept header:
// OpenMetrics text (with exemplars) when the client ranks
// application/openmetrics-text, version 1.0.0 or 0.0.1, at least as high as
// plain text; the text format 0.0.4 otherwise, as before, for every client that
// does not ask (curl's "*/*", browsers, an absent header). Prometheus asks for
// OpenMetrics first by default.
#include <string_view>

namespace agentmon {

enum class Exposition { text_0_0_4, openmetrics_1_0_0, openmetrics_0_0_1 };

Exposition negotiate_exposition(std::string_view accept);

// The Content-Type of a reply in `format`.
std::string_view content_type(Exposition format);

inline bool is_openmetrics(Exposition format) { return format != Exposition::text_0_0_4; }

}  // namespace agentmon
