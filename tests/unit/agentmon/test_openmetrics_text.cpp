// The OpenMetrics text writer: counters' family names without _total, # UNIT
// only where the name ends in it, escaping, exemplars on the buckets they belong
// to, and the exporter's two formats of one snapshot.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "loop_fixture.h"
#include "metrics/exemplar_store.h"
#include "metrics/openmetrics_text.h"
#include "metrics/snapshot.h"

using namespace agentmon;

namespace {

constexpr const char* kLatency = "agent_transport_latency_seconds";

prometheus::ClientMetric latency_sample() {
    prometheus::ClientMetric m;
    m.label = {{"carrier", "unix"}, {"target_agent", "executor"}};
    m.histogram.sample_count = 5;
    m.histogram.sample_sum = 0.0301;
    m.histogram.bucket = {{1, 0.001}, {4, 0.01}, {5, std::numeric_limits<double>::infinity()}};
    return m;
}

std::vector<prometheus::MetricFamily> families() {
    SnapshotBuilder b;
    b.add(Family::agent_transport_messages_total, 12, {{"carrier", "unix"}});
    b.add(Family::agent_health_score, 87.5, {{"agent_id", "a\"b\\c\nd"}, {"agent_type", "x"}});
    b.add(Family::agentmon_build_info, 1, {});
    b.family(Family::agent_transport_latency_seconds).metric.push_back(latency_sample());
    return std::move(b).build().families;
}

std::string render(const ExemplarStore* store = nullptr) {
    std::string out;
    append_openmetrics(out, families(), store);
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

// The exposition without agentmon_scrape_duration_seconds, which every render
// observes into, so two renders of one snapshot compare equal.
std::string without_scrape_duration(const std::string& text) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line(text.data() + start, end - start);
        if (line.find("agentmon_scrape_duration_seconds") == std::string_view::npos)
            out.append(line).append("\n");
        start = end + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("openmetrics: a counter's family drops _total, its sample keeps it") {
    const std::string text = render();
    CHECK(has_line(text, "# TYPE agent_transport_messages counter"));
    CHECK(text.find("# HELP agent_transport_messages Frames sent") != std::string::npos);
    CHECK(has_line(text, "agent_transport_messages_total{carrier=\"unix\"} 12"));
    CHECK(text.find("# TYPE agent_transport_messages_total") == std::string::npos);
}

TEST_CASE("openmetrics: # UNIT only where the family name ends in the unit") {
    const std::string text = render();
    CHECK(has_line(text, "# UNIT agent_transport_latency_seconds seconds"));
    CHECK(text.find("# UNIT agent_transport_messages ") == std::string::npos);  // "frames"
    CHECK(text.find("# UNIT agent_health_score") == std::string::npos);         // "0..100"
    CHECK(text.find("# UNIT agentmon_build_info") == std::string::npos);        // none
}

TEST_CASE("openmetrics: label values and HELP are escaped") {
    const std::string text = render();
    CHECK(has_line(text, "agent_health_score{agent_id=\"a\\\"b\\\\c\\nd\",agent_type=\"x\"} 87.5"));
    std::string out;
    append_openmetrics(out,
                       {prometheus::MetricFamily{
                           "x_ratio", "say \"hi\"\\\nbye", prometheus::MetricType::Gauge, {}}});
    CHECK(has_line(out, "# HELP x_ratio say \\\"hi\\\"\\\\\\nbye"));
}

TEST_CASE("openmetrics: histogram buckets, count and sum, without exemplars") {
    const std::string text = render();
    CHECK(has_line(text,
                   "agent_transport_latency_seconds_bucket{carrier=\"unix\",target_agent="
                   "\"executor\",le=\"0.001\"} 1"));
    CHECK(has_line(text,
                   "agent_transport_latency_seconds_bucket{carrier=\"unix\",target_agent="
                   "\"executor\",le=\"+Inf\"} 5"));
    CHECK(has_line(text,
                   "agent_transport_latency_seconds_count{carrier=\"unix\",target_agent="
                   "\"executor\"} 5"));
    CHECK(has_line(text,
                   "agent_transport_latency_seconds_sum{carrier=\"unix\",target_agent="
                   "\"executor\"} 0.0301"));
    CHECK(text.find(" # {") == std::string::npos);
}

TEST_CASE("openmetrics: an exemplar goes on the bucket its value falls in") {
    ExemplarStoreOptions options;
    options.bounds = {{kLatency, {0.001, 0.01}}};
    options.selection = LabelSelection::defaults();
    ExemplarStore store(options, [] { return 1733112346.0; });
    store.offer(
        kLatency, {{"source_agent", "planner"}, {"target_agent", "executor"}, {"carrier", "unix"}},
        Exemplar{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0.0052, 1733112345.123});
    const std::string text = render(&store);
    CHECK(has_line(text,
                   "agent_transport_latency_seconds_bucket{carrier=\"unix\",target_agent="
                   "\"executor\",le=\"0.01\"} 4 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\","
                   "span_id=\"00f067aa0ba902b7\"} 0.0052 1733112345.123"));
    CHECK(has_line(text,
                   "agent_transport_latency_seconds_bucket{carrier=\"unix\",target_agent="
                   "\"executor\",le=\"0.001\"} 1"));
    // Bounds that differ from the series' buckets place nothing.
    ExemplarStoreOptions other = options;
    other.bounds = {{kLatency, {0.001, 0.01, 0.1}}};
    ExemplarStore mismatched(other);
    mismatched.offer(
        kLatency, {{"target_agent", "executor"}, {"carrier", "unix"}},
        Exemplar{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0.0052, 1733112345.123});
    CHECK(render(&mismatched).find(" # {") == std::string::npos);
}

TEST_CASE("openmetrics: numbers as the 0.0.4 text writes them") {
    std::string out;
    prometheus::MetricFamily f{"x_bytes", "h", prometheus::MetricType::Gauge, {}};
    for (double v : {1e-06, 0.30000000000000004, 16777216.0, 123456789012.0})
        f.metric.emplace_back().gauge.value = v;
    f.metric.emplace_back().gauge.value = std::numeric_limits<double>::quiet_NaN();
    f.metric.emplace_back().gauge.value = -std::numeric_limits<double>::infinity();
    append_openmetrics(out, {f});
    CHECK(out ==
          "# HELP x_bytes h\n# TYPE x_bytes gauge\n"  // no table entry: no unit
          "x_bytes 1e-06\nx_bytes 0.3\nx_bytes 16777216\nx_bytes 123456789012\n"
          "x_bytes NaN\nx_bytes -Inf\n");
}

TEST_CASE("the exporter serves one snapshot in both formats") {
    LoopRig rig;
    rig.loop()->tick_once();
    const std::string text = rig.exporter.render_metrics();
    CHECK(without_scrape_duration(rig.exporter.render_metrics(Exposition::text_0_0_4)) ==
          without_scrape_duration(text));
    CHECK(text.find("# EOF") == std::string::npos);
    CHECK(text.find("# TYPE agentmon_collections_total counter") != std::string::npos);

    const std::string om = rig.exporter.render_metrics(Exposition::openmetrics_1_0_0);
    CHECK(om.size() > 6);
    CHECK(om.substr(om.size() - 6) == "# EOF\n");
    CHECK(om.find("# EOF") == om.size() - 6);  // once, at the end
    CHECK(has_line(om, "# TYPE agentmon_collections counter"));
    CHECK(has_line(om, "agentmon_collections_total 1"));
    CHECK(has_line(om, "# UNIT agentmon_collection_duration_seconds seconds"));
}
