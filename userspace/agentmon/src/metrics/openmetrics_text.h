#pragma once
// The OpenMetrics text format 1.0.0, for scrapers that ask for it (Accept:
// application/openmetrics-text): the same families and samples as the text
// format 0.0.4, plus what only OpenMetrics can say: # UNIT, and exemplars on
// histogram _bucket lines, which link a bucket to the trace of a frame in it.
//
// The differences from 0.0.4, each required by the format:
//  - a counter's family is named without "_total" in # HELP/# TYPE/# UNIT, and
//    its sample keeps the suffix, so the series is the same in both formats;
//  - # UNIT only where the family name ends in its unit ("_seconds", "_bytes"):
//    the format makes the unit a suffix of the name, so "frames" on
//    agent_transport_messages_total is not stated there (docs/metrics.md is);
//  - HELP escapes '"' as well as '\' and newlines;
//  - timestamps, where a sample has one, are seconds, not milliseconds;
//  - the exposition ends with "# EOF" (the caller appends kOpenMetricsEof once).
// Numbers are written as the 0.0.4 text writes them, le bounds included, so a
// bucket is the same series whichever format Prometheus scraped.
#include <prometheus/metric_family.h>

#include <string>
#include <string_view>
#include <vector>

#include "metrics/exemplar_store.h"

namespace agentmon {

inline constexpr std::string_view kOpenMetricsEof = "# EOF\n";

// Appends `families` to `out` in OpenMetrics text, without the closing # EOF.
// `exemplars`: null, or the store whose exemplars go on the _bucket lines of the
// histogram families it takes.
void append_openmetrics(std::string& out, const std::vector<prometheus::MetricFamily>& families,
                        const ExemplarStore* exemplars = nullptr);

}  // namespace agentmon
