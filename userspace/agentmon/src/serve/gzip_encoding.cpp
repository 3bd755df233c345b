#include "serve/gzip_encoding.h"

#include <zlib.h>

#include <optional>

#include "serve/header_values.h"

namespace agentmon {

bool accepts_gzip(std::string_view accept_encoding) {
    std::optional<bool> gzip, star;
    for_each_header_item(accept_encoding, [&](std::string_view coding, std::string_view params) {
        const double q = header_quality(params);
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
            gzip = q > 0;
        else if (coding == "*")
            star = q > 0;
    });
    if (gzip) return *gzip;
    return star.value_or(false);
}

std::optional<std::string> gzip_compress(std::string_view body) {
    z_stream stream{};
    // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    // deflateBound guarantees room for Z_FINISH in one call.
    if (rc != Z_STREAM_END) return std::nullopt;
    return out;
}

}  // namespace agentmon
