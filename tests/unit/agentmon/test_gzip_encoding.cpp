// gzip for /metrics: which Accept-Encoding values mean gzip, and that the body
// inflates back to the text.
#include <doctest/doctest.h>
#include <zlib.h>

#include <string>

#include "serve/gzip_encoding.h"

using namespace agentmon;

namespace {

std::string gunzip(const std::string& data) {
    z_stream stream{};
    REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
    std::string out(1 << 20, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    inflateEnd(&stream);
    REQUIRE(rc == Z_STREAM_END);
    return out;
}

}  // namespace

TEST_CASE("accepts_gzip: Prometheus's header and the usual forms") {
    CHECK(accepts_gzip("gzip"));
    CHECK(accepts_gzip("gzip, deflate, br"));          // curl --compressed
    CHECK(accepts_gzip("deflate;q=0.5, GZIP;q=0.8"));  // case and q-values
    CHECK(accepts_gzip("x-gzip"));
    CHECK(accepts_gzip("*"));
    CHECK_FALSE(accepts_gzip(""));
    CHECK_FALSE(accepts_gzip("identity"));
    CHECK_FALSE(accepts_gzip("deflate, br"));
    CHECK_FALSE(accepts_gzip("gzip;q=0"));
    CHECK_FALSE(accepts_gzip("*, gzip;q=0"));  // gzip refused by name beats the wildcard
    CHECK_FALSE(accepts_gzip("gzipped"));
}

TEST_CASE("gzip_compress: a gzip member that inflates to the same text, much smaller") {
    std::string text;
    for (int i = 0; i < 5000; ++i)
        text +=
            "agent_transport_messages_total{carrier=\"unix\",agent_type=\"planner\",instance=\"" +
            std::to_string(i) + "\"} 12345\n";
    auto compressed = gzip_compress(text);
    REQUIRE(compressed);
    CHECK(compressed->size() < text.size() / 5);
    CHECK(static_cast<unsigned char>((*compressed)[0]) == 0x1f);  // gzip magic
    CHECK(static_cast<unsigned char>((*compressed)[1]) == 0x8b);
    CHECK(gunzip(*compressed) == text);
    auto empty = gzip_compress("");
    REQUIRE(empty);
    CHECK(gunzip(*empty).empty());
}
