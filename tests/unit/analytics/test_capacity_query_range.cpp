// Prometheus query_range answers onto the sample grid, and the spans the
// capacity command takes.
#include <doctest/doctest.h>

#include "analytics/capacity_query_range.h"
#include "analytics/capacity_sources.h"

using namespace agentmon::analytics;

TEST_CASE("parse_span_seconds") {
    CHECK(parse_span_seconds("90s") == 90);
    CHECK(parse_span_seconds("5m") == 300);
    CHECK(parse_span_seconds("2h") == 7200);
    CHECK(parse_span_seconds("7d") == 7 * 86400);
    CHECK(parse_span_seconds("1w") == 7 * 86400);
    CHECK_FALSE(parse_span_seconds("7"));
    CHECK_FALSE(parse_span_seconds("d"));
    CHECK_FALSE(parse_span_seconds("0m"));
    CHECK_FALSE(parse_span_seconds("-5m"));
    CHECK_FALSE(parse_span_seconds("5x"));
    CHECK_FALSE(parse_span_seconds("1.5h"));
}

TEST_CASE("a matrix: series summed per sample, gaps take the previous value") {
    SampleGrid grid{1000, 60, 4};
    auto a = parse_query_range(R"({"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"a":"1"},"values":[[1060,"2"],[1180,"4"]]},
        {"metric":{"a":"2"},"values":[[1060,"1"],[1120,"NaN"],[1180,"1"]]}]}})",
                               grid);
    CHECK(a.error.empty());
    CHECK(a.values == std::vector<double>{3, 3, 3, 5});
}

TEST_CASE("an empty matrix is no data, not an error") {
    auto a = parse_query_range(R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
                               {0, 60, 3});
    CHECK(a.error.empty());
    CHECK(a.values.empty());
}

TEST_CASE("errors: Prometheus' own, the wrong type, and not JSON at all") {
    auto e = parse_query_range(
        R"({"status":"error","errorType":"bad_data","error":"parse error at char 4"})", {0, 60, 3});
    CHECK(e.error == "bad_data: parse error at char 4");
    auto v = parse_query_range(R"({"status":"success","data":{"resultType":"vector","result":[]}})",
                               {0, 60, 3});
    CHECK(v.error.find("matrix") != std::string::npos);
    auto h = parse_query_range("<html>not found</html>", {0, 60, 3});
    CHECK(h.error.starts_with("not a Prometheus query_range answer"));
}

TEST_CASE("every resource falls back to series agentmon exports today") {
    auto resources = capacity_resources({}, "5m");
    REQUIRE(resources.size() == 3);
    CHECK(resources[0].sources.back().expr == "sum(rate(agent_cpu_seconds_total[5m]))");
    CHECK(resources[2].sources.back().expr ==
          R"(sum(rate(agent_transport_messages_total{direction="received"}[5m])))");
    for (const auto& r : resources) CHECK(r.sources.front().kind == SourceKind::kRatio);
}
