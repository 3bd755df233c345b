// gzip for /metrics: which Accept-Encoding values mean gzip, and that the body
// inflates back to the text.
#include <doctest/doctest.h>
#include <zlib.h>

#include <string>

#include "serve/exporter.h"
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

TEST_CASE("gzip_around: a fresh head before a tail deflated once is one gzip member of both") {
    std::string tail;
    for (int i = 0; i < 3000; ++i)
        tail += "message_flow_matrix{source_agent=\"A" + std::to_string(i % 28) + "\"} " +
                std::to_string(i) + "\n";
    const auto deflated = deflate_final(tail);
    REQUIRE(deflated);
    CHECK(deflated->size == tail.size());
    for (const std::string& head :
         {std::string(), std::string("agentmon_build_info 1\n"), std::string(70000, 'x') + "\n"}) {
        CAPTURE(head.size());
        const auto pieces = gzip_around(head, *deflated);
        REQUIRE(pieces);
        CHECK(gunzip(pieces->prefix + deflated->deflated + pieces->suffix) == head + tail);
    }
}

TEST_CASE("the exporter's gzip body inflates to its plain text; the snapshot is deflated once") {
    Exporter exporter(BuildInfo{"1.0", "abc", "1.1", "6.18"});
    SnapshotBuilder builder;
    for (int i = 0; i < 200; ++i)
        builder.add(Family::agentmon_bpf_map_entries, i, {{"map", "m" + std::to_string(i)}});
    exporter.publish(std::move(builder).build(), 0.01);
    const MetricsBody zipped = exporter.metrics_body(Exposition::text_0_0_4, true);
    REQUIRE(zipped.gzip);
    const MetricsBody again = exporter.metrics_body(Exposition::text_0_0_4, true);
    CHECK(again.shared.get() == zipped.shared.get());  // one compression per snapshot
    const std::string text = gunzip(zipped.joined());
    CHECK(text.find("agentmon_bpf_map_entries{map=\"m199\"} 199") != std::string::npos);
    // agentmon's own families first, then the snapshot's.
    CHECK(text.find("agentmon_build_info{") < text.find("agentmon_bpf_map_entries{"));
    const MetricsBody plain = exporter.metrics_body(Exposition::text_0_0_4, false);
    CHECK_FALSE(plain.gzip);
    CHECK(plain.shared->find("agentmon_bpf_map_entries{map=\"m199\"} 199") != std::string::npos);
}

TEST_CASE("OpenMetrics gzip is deflated once per snapshot too, and ends with # EOF") {
    // Prometheus asks for OpenMetrics with gzip on every scrape: the same sharing
    // as the text format, not a compression per scrape.
    Exporter exporter(BuildInfo{"1.0", "abc", "1.1", "6.18"});
    SnapshotBuilder builder;
    for (int i = 0; i < 200; ++i)
        builder.add(Family::agentmon_bpf_map_entries, i, {{"map", "m" + std::to_string(i)}});
    exporter.publish(std::move(builder).build(), 0.01);
    const MetricsBody zipped = exporter.metrics_body(Exposition::openmetrics_1_0_0, true);
    REQUIRE(zipped.gzip);
    REQUIRE(zipped.shared);  // the snapshot's deflate, not a per-scrape compression
    const MetricsBody again = exporter.metrics_body(Exposition::openmetrics_1_0_0, true);
    CHECK(again.shared.get() == zipped.shared.get());
    const std::string text = gunzip(zipped.joined());
    CHECK(text.find("agentmon_bpf_map_entries{map=\"m199\"} 199") != std::string::npos);
    CHECK(text.find("# TYPE agentmon_collections counter") <
          text.find("agentmon_bpf_map_entries{"));
    CHECK(text.substr(text.size() - 6) == "# EOF\n");
    CHECK(text.find("# EOF") == text.size() - 6);  // once, at the end
    // agentmon's own families change each scrape (its scrape duration); the
    // snapshot's part is the same text as the identity body's.
    const MetricsBody plain = exporter.metrics_body(Exposition::openmetrics_1_0_0, false);
    CHECK(text.ends_with(*plain.shared));
    // The text format's sharing is separate: neither carries the other's body.
    CHECK(exporter.metrics_body(Exposition::text_0_0_4, false).joined().find("# EOF") ==
          std::string::npos);
}
