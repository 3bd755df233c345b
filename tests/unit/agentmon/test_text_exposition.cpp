// The text exposition writer /metrics uses: byte for byte what prometheus-cpp's
// TextSerializer writes, for every kind of sample agentmon exports.
#include <doctest/doctest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <limits>

#include "serve/text_exposition.h"

using namespace agentmon;

namespace {

prometheus::ClientMetric labelled(std::vector<prometheus::ClientMetric::Label> labels) {
    prometheus::ClientMetric m;
    m.label = std::move(labels);
    return m;
}

std::vector<prometheus::MetricFamily> every_kind() {
    std::vector<prometheus::MetricFamily> out;
    prometheus::MetricFamily counter{"agent_transport_messages_total",
                                     "Frames by \"labels\" \\ and more",
                                     prometheus::MetricType::Counter,
                                     {}};
    const double values[] = {0,
                             1,
                             15,
                             123456789012345.0,
                             1e17,
                             0.1,
                             1.0 / 3,
                             2.5e-7,
                             -4.25,
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             std::nan(""),
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::denorm_min()};
    int i = 0;
    for (double v : values) {
        auto m = labelled({{"carrier", "unix"}, {"source_agent", "A" + std::to_string(i++)}});
        m.counter.value = v;
        counter.metric.push_back(m);
    }
    auto odd = labelled({{"offender_comm", "a\"b\\c\nd"}});
    odd.counter.value = 2;
    odd.timestamp_ms = 1700000000123;
    counter.metric.push_back(odd);
    out.push_back(counter);

    prometheus::MetricFamily gauge{"agentmon_watched_tasks", "", prometheus::MetricType::Gauge, {}};
    prometheus::ClientMetric bare;
    bare.gauge.value = 42;
    gauge.metric.push_back(bare);
    out.push_back(gauge);

    prometheus::MetricFamily hist{
        "agent_transport_latency_seconds", "Latency", prometheus::MetricType::Histogram, {}};
    auto h = labelled({{"carrier", "tcp"}});
    h.histogram.sample_count = 10;
    h.histogram.sample_sum = 1.2345;
    for (double le : {1e-6, 2.5e-6, 0.001, 0.25, 10.0})
        h.histogram.bucket.push_back({static_cast<std::uint64_t>(le * 1000), le});
    hist.metric.push_back(h);
    auto with_inf = labelled({});
    with_inf.histogram.sample_count = 3;
    with_inf.histogram.sample_sum = 0;
    with_inf.histogram.bucket.push_back({1, 64});
    with_inf.histogram.bucket.push_back({3, std::numeric_limits<double>::infinity()});
    hist.metric.push_back(with_inf);
    out.push_back(hist);

    prometheus::MetricFamily summary{"some_summary", "S", prometheus::MetricType::Summary, {}};
    prometheus::ClientMetric s;
    s.summary.sample_count = 2;
    s.summary.sample_sum = 3;
    s.summary.quantile.push_back({0.5, 1.5});
    summary.metric.push_back(s);
    out.push_back(summary);
    return out;
}

}  // namespace

TEST_CASE("the text exposition is TextSerializer's, byte for byte") {
    const auto families = every_kind();
    std::string text;
    append_text_exposition(families, text);
    CHECK(text == prometheus::TextSerializer().Serialize(families));
    CHECK(text.find("le=\"+Inf\"") != std::string::npos);
}

TEST_CASE("the text exposition appends; nothing for no families") {
    std::string text = "head\n";
    append_text_exposition({}, text);
    CHECK(text == "head\n");
}
