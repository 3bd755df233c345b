#include "serve/gzip_encoding.h"

#include <zlib.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>

namespace agentmon {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// The q parameter of "coding;q=0.5" (1 when absent).
double quality(std::string_view params) {
    while (!params.empty()) {
        const auto semi = params.find(';');
        std::string_view param = trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
            return std::strtod(std::string(param.substr(2)).c_str(), nullptr);
    }
    return 1.0;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
    std::optional<bool> gzip, star;
    while (!accept_encoding.empty()) {
        const auto comma = accept_encoding.find(',');
        std::string_view item = accept_encoding.substr(0, comma);
        accept_encoding = comma == std::string_view::npos ? std::string_view{}
                                                          : accept_encoding.substr(comma + 1);
        const auto semi = item.find(';');
        const std::string_view coding = trim(item.substr(0, semi));
        const double q = semi == std::string_view::npos ? 1.0 : quality(item.substr(semi + 1));
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
            gzip = q > 0;
        else if (coding == "*")
            star = q > 0;
    }
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
