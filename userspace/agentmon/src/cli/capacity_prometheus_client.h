#pragma once
// A thin Prometheus HTTP API client (libcurl): one GET of /api/v1/query_range.
#include <string>

#include "base/result.h"

namespace agentmon {

struct RangeQuery {
    std::string expr;
    double start = 0;  // unix seconds
    double end = 0;
    double step = 300;
};

// The answer's body (Prometheus sends a JSON body with 400 and 422 too, which
// the caller parses for its error). Fails when Prometheus cannot be reached
// or answers with another status.
Result<std::string> query_range(const std::string& base_url, const RangeQuery& query,
                                double timeout_seconds = 30);

}  // namespace agentmon
