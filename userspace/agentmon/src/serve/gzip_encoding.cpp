#include "serve/gzip_encoding.h"

#include <zlib.h>

#include <cstdint>
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

namespace {

// Raw deflate (no header) of `text` at level 1, ended by `flush` (Z_SYNC_FLUSH or
// Z_FINISH), appended to `out`.
bool deflate_raw(std::string_view text, int flush, std::string& out) {
    z_stream stream{};
    if (deflateInit2(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
    const std::size_t start = out.size();
    // deflateBound covers Z_FINISH; a sync flush adds its empty stored block.
    out.resize(start + deflateBound(&stream, static_cast<uLong>(text.size())) + 16);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream.avail_in = static_cast<uInt>(text.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + start);
    stream.avail_out = static_cast<uInt>(out.size() - start);
    const int rc = deflate(&stream, flush);
    const bool done = flush == Z_FINISH ? rc == Z_STREAM_END : rc == Z_OK && stream.avail_in == 0;
    out.resize(start + stream.total_out);
    deflateEnd(&stream);
    return done;
}

void append_le32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

std::optional<DeflatedText> deflate_final(std::string_view text) {
    DeflatedText out;
    if (!deflate_raw(text, Z_FINISH, out.deflated)) return std::nullopt;
    out.crc = crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
    out.size = text.size();
    return out;
}

std::optional<GzipPieces> gzip_around(std::string_view head, const DeflatedText& tail) {
    GzipPieces out;
    // RFC 1952: magic, deflate, no flags, no mtime, no extra flags, unknown OS.
    out.prefix.assign("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
    if (!deflate_raw(head, Z_SYNC_FLUSH, out.prefix)) return std::nullopt;
    const uLong head_crc =
        crc32(0, reinterpret_cast<const Bytef*>(head.data()), static_cast<uInt>(head.size()));
    append_le32(out.suffix, static_cast<std::uint32_t>(crc32_combine(
                                head_crc, tail.crc, static_cast<z_off_t>(tail.size))));
    append_le32(out.suffix, static_cast<std::uint32_t>(head.size() + tail.size));
    return out;
}

}  // namespace agentmon
