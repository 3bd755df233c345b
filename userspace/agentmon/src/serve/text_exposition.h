#pragma once
// The text exposition format 0.0.4 of a set of metric families, byte for byte
// what prometheus-cpp's TextSerializer writes (a unit test compares the two), in
// a fraction of its time: TextSerializer formats every number through an
// ostream, and a full mesh's snapshot (11 000 samples, 1.2 MB) took it tens of
// milliseconds, which the first scrape after each tick waited for.
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace agentmon {

// Appends the text of `families` to `out`.
void append_text_exposition(const std::vector<prometheus::MetricFamily>& families,
                            std::string& out);

}  // namespace agentmon
