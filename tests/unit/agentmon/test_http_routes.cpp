// What each path answers, apart from the HTTP library: methods, 404s, readiness,
// gzip and OpenMetrics with Vary on the metrics path.
#include <doctest/doctest.h>

#include <string>

#include "serve/exporter.h"
#include "serve/http_routes.h"

using namespace agentmon;

namespace {

std::string header(const HttpReply& reply, const std::string& name) {
    for (const auto& [key, value] : reply.headers)
        if (key == name) return value;
    return "";
}

}  // namespace

TEST_CASE("http routes: the metrics path, gzip when accepted, Vary always") {
    Exporter exporter(BuildInfo{"1.0", "abc", "1.1", "6.18"});
    HttpRoutes routes(exporter, "/probe");
    HttpReply plain = routes.handle({"GET", "/probe", "", ""});
    CHECK(plain.status == 200);
    CHECK(plain.body.find("agentmon_build_info") != std::string::npos);
    CHECK(header(plain, "Vary") == "Accept, Accept-Encoding");
    CHECK(header(plain, "Content-Encoding").empty());
    HttpReply zipped = routes.handle({"GET", "/probe", "gzip", ""});
    CHECK(header(zipped, "Content-Encoding") == "gzip");
    CHECK(header(zipped, "Vary") == "Accept, Accept-Encoding");
    CHECK(static_cast<unsigned char>(zipped.body.at(0)) == 0x1f);
    CHECK(routes.handle({"HEAD", "/probe", "", ""}).status == 200);
    CHECK(routes.handle({"GET", "/metrics", "", ""}).status == 404);  // moved to /probe
}

TEST_CASE("http routes: OpenMetrics when Accept asks for it, gzipped or not") {
    Exporter exporter(BuildInfo{"1.0", "abc", "1.1", "6.18"});
    HttpRoutes routes(exporter, "/metrics");
    HttpReply plain = routes.handle({"GET", "/metrics", "", "*/*"});
    CHECK(plain.content_type == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(plain.full_body().find("# EOF") == std::string::npos);
    const char* om_accept = "application/openmetrics-text;version=1.0.0,text/plain;q=0.5";
    HttpReply om = routes.handle({"GET", "/metrics", "", om_accept});
    CHECK(om.content_type == "application/openmetrics-text; version=1.0.0; charset=utf-8");
    const std::string om_body = om.full_body();
    CHECK(om_body.find("# TYPE agentmon_collections counter") != std::string::npos);
    CHECK(om_body.substr(om_body.size() - 6) == "# EOF\n");
    HttpReply zipped = routes.handle({"GET", "/metrics", "gzip", om_accept});
    CHECK(zipped.content_type == om.content_type);
    CHECK(header(zipped, "Content-Encoding") == "gzip");
    CHECK(static_cast<unsigned char>(zipped.body.at(0)) == 0x1f);
}

TEST_CASE("http routes: health, readiness, index, 404 and 405") {
    Exporter exporter(BuildInfo{});
    HttpRoutes routes(exporter, "/metrics");
    CHECK(routes.handle({"GET", "/healthz", "", ""}).status == 200);
    CHECK(routes.handle({"GET", "/readyz", "", ""}).status == 503);  // no tick published yet
    CHECK(routes.handle({"GET", "/", "", ""}).body.find("/metrics") != std::string::npos);
    CHECK(routes.handle({"GET", "/nowhere", "", ""}).status == 404);
    HttpReply post = routes.handle({"POST", "/metrics", "", ""});
    CHECK(post.status == 405);
    CHECK(header(post, "Allow") == "GET, HEAD");
}
