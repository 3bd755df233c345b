#pragma once
// gzip for /metrics: Prometheus sends "Accept-Encoding: gzip" and a compressed
// body is about a tenth of the text, which is what crosses the network each scrape.
#include <cstddef>
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

// The part of a gzip body that is the same for every scrape of one snapshot,
// compressed once: `text` as raw deflate blocks ending with the final block,
// with the CRC-32 and length the gzip trailer needs.
struct DeflatedText {
    std::string deflated;
    unsigned long crc = 0;
    std::size_t size = 0;
};
std::optional<DeflatedText> deflate_final(std::string_view text);

// One gzip member of `head` followed by the text of `tail`, in three pieces sent
// one after the other: `prefix` (the gzip header and `head` compressed now, up
// to a sync flush, so `tail`'s blocks follow on a byte boundary), tail.deflated
// unchanged, and `suffix` (the trailer: both parts' CRC and length).
struct GzipPieces {
    std::string prefix, suffix;
};
std::optional<GzipPieces> gzip_around(std::string_view head, const DeflatedText& tail);

}  // namespace agentmon
