// SocketMetrics across ticks: output independent of the kernel's map order, sorted,
// names only; the overflow series grows monotonically as its sets grow.
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cerrno>

#include "transport_path_fixture.h"

using prometheus::MetricFamily;

namespace {

RawFrames entry(std::uint32_t source, std::uint32_t target, std::uint16_t msg_type,
                std::uint8_t carrier, std::uint8_t direction, std::uint64_t n) {
    RawFrames e;
    e.key.source = source;
    e.key.target = target;
    e.key.msg_type = msg_type;
    e.key.priority = 2;
    e.key.carrier = carrier;
    e.key.direction = direction;
    e.counts = {n, n * 168};
    return e;
}

SocketPath make(SeriesBudget budget = SeriesBudget()) {
    return SocketPath(AgentRegistry(), std::move(budget), {{1e-6, 1e-3, 1}, {64, 256, 1024}});
}

std::string render(SocketPath& path, const SocketReading& r) {
    return prometheus::TextSerializer().Serialize(build(path, r).families);
}

std::vector<MetricFamily> families_of(SocketPath& path, const SocketReading& r) {
    return build(path, r).families;
}

SocketReading busy_reading(double seconds, std::uint64_t scale) {
    SocketReading r;
    r.monotonic_seconds = seconds;
    set_raw_frames(r, {entry(5, 1, 4, CARRIER_TCP, DIR_RECEIVED, 1 * scale),
                       entry(1, 5, 1, CARRIER_UNIX, DIR_SENT, 2 * scale),
                       entry(3, 2, 2, CARRIER_DGRAM, DIR_SENT, 3 * scale),
                       entry(3 + 28, 2, 2, CARRIER_DGRAM, DIR_SENT, 4 * scale),
                       entry(1, 5, 1, CARRIER_UNIX, DIR_RECEIVED, 2 * scale)});
    LatencyEntry lat;
    lat.source_type = 5;
    lat.target_type = 1;
    lat.carrier = CARRIER_TCP;
    lat.histogram.buckets[1] = scale;
    r.latency = {lat};
    r.syscall_errors = {{EPIPE, CARRIER_UNIX, DIR_SENT, scale}};
    return r;
}

}  // namespace

TEST_CASE("the kernel's map order does not change a byte of the output") {
    auto a = make();
    auto b = make();
    SocketReading r = busy_reading(1, 1);
    const std::string in_order = render(a, r);
    std::reverse(r.frames.begin(), r.frames.end());
    std::reverse(r.pairs.begin(), r.pairs.end());
    CHECK(render(b, r) == in_order);
}

TEST_CASE("samples within every family are sorted by labels and label values are names") {
    auto m = make();
    families_of(m, busy_reading(1, 1));
    for (const auto& family : families_of(m, busy_reading(2, 3))) {
        CAPTURE(family.name);
        for (std::size_t i = 1; i < family.metric.size(); ++i)
            CHECK(labels_of(family.metric[i - 1]) < labels_of(family.metric[i]));
        for (const auto& metric : family.metric)
            for (const auto& label : metric.label) {
                CAPTURE(label.name);
                CHECK(label.value.find_first_not_of("0123456789") != std::string::npos);
            }
    }
}

TEST_CASE("families come in the same order on every tick") {
    auto m = make();
    std::vector<std::string> first, later;
    families_of(m, busy_reading(1, 1));
    for (const auto& f : families_of(m, busy_reading(2, 2))) first.push_back(f.name);
    for (const auto& f : families_of(m, busy_reading(3, 3))) later.push_back(f.name);
    CHECK(first == later);
    // 16 families; no sizes, EAGAIN, processing times or intruders in this reading
    CHECK(first.size() == 12);
}

TEST_CASE("the overflow series only grows while new label sets keep arriving") {
    auto m = make(SeriesBudget({{"agent_transport_messages_total", 1}}));
    const std::map<std::string, std::string> overflow = {
        {"source_agent", "overflow"}, {"target_agent", "overflow"}, {"msg_type", "overflow"},
        {"priority", "overflow"},     {"carrier", "unix"},          {"direction", "sent"}};
    SocketReading r;
    std::vector<RawFrames> raw = {entry(10, 1, 1, CARRIER_UNIX, DIR_SENT, 5)};
    double last = 0;
    for (std::uint32_t tick = 0; tick < 6; ++tick) {
        CAPTURE(tick);
        // Each tick a new label set that sorts before the admitted one, and growth
        // of every set already there.
        for (auto& e : raw) e.counts.frames += 3;
        raw.push_back(entry(1, 1 + tick, 1, CARRIER_UNIX, DIR_SENT, 1));
        set_raw_frames(r, raw);
        double folded = -1;
        for (const auto& f : families_of(m, r))
            if (f.name == "agent_transport_messages_total") {
                CHECK(f.metric.size() == 2);
                for (const auto& metric : f.metric)
                    if (labels_of(metric) == overflow) folded = metric.counter.value;
            }
        CHECK(folded >= last);
        last = folded;
    }
    CHECK(last > 0);
}

TEST_CASE("agentmon_series_dropped_total has every budgeted family from the first tick") {
    auto m = make();
    std::vector<std::string> families;
    for (const auto& f : families_of(m, SocketReading{}))
        if (f.name == "agentmon_series_dropped_total")
            for (const auto& metric : f.metric) {
                families.push_back(labels_of(metric).at("family"));
                CHECK(metric.counter.value == 0);
            }
    auto want = budgeted_families();
    std::sort(want.begin(), want.end());
    CHECK(families == want);
}
