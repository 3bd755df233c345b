#pragma once
// gzip for /metrics: Prometheus sends "Accept-Encoding: gzip" and a compressed
// body is about a tenth of the text, which is what crosses the network each scrape.
#include <optional>
#include <string>
#include <string_view>

namespace agentmon {

// Whether an Accept-Encoding header value accepts gzip: "gzip" or "x-gzip" with
// a q-value above 0, or "*" when gzip is not listed with q=0. Case-insensitive.
bool accepts_gzip(std::string_view accept_encoding);

// The gzip member (RFC 1952) of `body`. Level 1: on a 2 MB body it costs a few
// milliseconds and still shrinks the text about tenfold (metric names repeat).
// Nothing when zlib fails (out of memory): the caller then sends the identity body.
std::optional<std::string> gzip_compress(std::string_view body);

}  // namespace agentmon
