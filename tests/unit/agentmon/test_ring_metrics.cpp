// RingMetrics on hand-made observations: exact counts apportioned over the sampled
// label sets (summing exactly to the rings' counters), the last mix or the ring's
// own agents when nothing was sampled, monotonic counters, queue and head-of-line
// gauges, ring errors, and the per-second gauges from the second tick on.
#include <doctest/doctest.h>

#include <memory>
#include <optional>

#include "metrics/ring_metrics.h"

using namespace agentmon;

namespace {

constexpr std::uint32_t kDirector = 1, kSecurity = 3, kTestbed = 5;
constexpr std::uint32_t kRequest = 1, kResponse = 2, kTask = 8;
constexpr std::uint32_t kHigh = 1, kNormal = 2;
const char* const kRing = "agent_ring_bus_100_0";

SampledFrame frame(std::uint32_t source, std::uint32_t target, std::uint32_t msg_type,
                   std::uint32_t priority, std::uint64_t bytes, std::uint64_t latency_ns = 0) {
    SampledFrame f;
    f.source = source;
    f.target = target;
    f.msg_type = msg_type;
    f.priority = priority;
    f.bytes = bytes;
    f.latency_ns = latency_ns;
    return f;
}

RingObservation observation(std::string ring = kRing, std::uint32_t producer = kDirector,
                            std::uint32_t consumer = kSecurity) {
    RingObservation o;
    o.ring = std::move(ring);
    o.producer = producer;
    o.consumer = consumer;
    return o;
}

RingMetrics metrics() {
    return RingMetrics(AgentRegistry(), {0.001, 0.01, 0.1}, std::make_shared<SeriesBudget>());
}

Snapshot build(RingMetrics& m, const std::vector<RingObservation>& rings, double now) {
    SnapshotBuilder builder;
    m.build(rings, now, builder);
    return std::move(builder).build();
}

const prometheus::MetricFamily* family(const Snapshot& s, const std::string& name) {
    for (const auto& f : s.families)
        if (f.name == name) return &f;
    return nullptr;
}

LabelSet labels_of(const prometheus::ClientMetric& m) {
    LabelSet labels;
    for (const auto& l : m.label) labels[l.name] = l.value;
    return labels;
}

std::optional<double> value(const Snapshot& s, const std::string& name, const LabelSet& labels) {
    const auto* f = family(s, name);
    if (!f) return std::nullopt;
    for (const auto& m : f->metric)
        if (labels_of(m) == labels)
            return f->type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
    return std::nullopt;
}

// The sum of a counter family's samples whose labels include `match`.
double sum(const Snapshot& s, const std::string& name, const LabelSet& match) {
    const auto* f = family(s, name);
    double total = 0;
    if (!f) return total;
    for (const auto& m : f->metric) {
        const LabelSet labels = labels_of(m);
        bool ok = true;
        for (const auto& [k, v] : match)
            if (!labels.count(k) || labels.at(k) != v) ok = false;
        if (ok) total += m.counter.value;
    }
    return total;
}

std::size_t samples(const Snapshot& s, const std::string& name) {
    const auto* f = family(s, name);
    return f ? f->metric.size() : 0;
}

LabelSet transport(const char* source, const char* target, const char* msg_type,
                   const char* priority, const char* direction) {
    return {{"source_agent", source}, {"target_agent", target}, {"msg_type", msg_type},
            {"priority", priority},   {"carrier", "ring"},      {"direction", direction}};
}

const char* const kMessages = "agent_transport_messages_total";
const char* const kBytes = "agent_transport_bytes_total";

}  // namespace

TEST_CASE("ring apportion: whole shares summing exactly to the total, largest remainders first") {
    CHECK(apportion(10, {3, 1}) == std::vector<std::uint64_t>{8, 2});  // 7.5 and 2.5, tie
    CHECK(apportion(100, {1, 1, 2}) == std::vector<std::uint64_t>{25, 25, 50});
    CHECK(apportion(7, {0.5, 0.3, 0.2}) == std::vector<std::uint64_t>{4, 2, 1});  // 3.5 2.1 1.4
    CHECK(apportion(1000, {600, 400}) == std::vector<std::uint64_t>{600, 400});
    CHECK(apportion(3, {1}) == std::vector<std::uint64_t>{3});
    // 10 over seven equal weights: 1 each, and the three extra to the lowest indices.
    CHECK(apportion(10, std::vector<double>(7, 1.0)) ==
          std::vector<std::uint64_t>{2, 2, 2, 1, 1, 1, 1});
    CHECK(apportion(1, {1, 1, 1}) == std::vector<std::uint64_t>{1, 0, 0});
    CHECK(apportion(2, {1, 1, 1}) == std::vector<std::uint64_t>{1, 1, 0});
    // A zero weight gets nothing while others weigh something.
    CHECK(apportion(5, {0, 2, 0, 3}) == std::vector<std::uint64_t>{0, 2, 0, 3});
    CHECK(apportion(5, {0, 1}) == std::vector<std::uint64_t>{0, 5});
}

TEST_CASE("ring apportion: zero weights split evenly; a zero total gives zeros") {
    CHECK(apportion(3, {0, 0}) == std::vector<std::uint64_t>{2, 1});
    CHECK(apportion(6, {0, 0, 0}) == std::vector<std::uint64_t>{2, 2, 2});
    CHECK(apportion(0, {3, 1}) == std::vector<std::uint64_t>{0, 0});
    CHECK(apportion(0, {0, 0}) == std::vector<std::uint64_t>{0, 0});
    CHECK(apportion(5, {}).empty());
}

TEST_CASE("ring apportion: the sum is exact and the result stable for many weights and totals") {
    const std::vector<double> weights = {1, 7, 7, 13, 0, 2, 31, 2};
    for (std::uint64_t total : {0ull, 1ull, 2ull, 61ull, 62ull, 1000ull, 999'999'937ull}) {
        CAPTURE(total);
        const auto split = apportion(total, weights);
        std::uint64_t given = 0;
        for (std::size_t i = 0; i < split.size(); ++i) {
            given += split[i];
            // Each share within one of its exact value.
            const double exact = double(total) * weights[i] / 63.0;
            CHECK(double(split[i]) >= exact - 1.0);
            CHECK(double(split[i]) <= exact + 1.0);
        }
        CHECK(given == total);
        CHECK(split[4] == 0);
        CHECK(split[1] == split[2]);                // equal weights, equal shares ...
        CHECK(apportion(total, weights) == split);  // ... and the same every time
    }
}

TEST_CASE("ring metrics: every ring error type is exported, at 0 until seen") {
    CHECK(ring_error_types() ==
          std::vector<std::string>{"RING_BAD_RECORD", "RING_BAD_SIZE", "RING_COUNTERS_BACKWARDS",
                                   "RING_TAIL_AHEAD", "RING_TRUNCATED", "RING_UNREADABLE"});
    auto m = metrics();
    const Snapshot s = build(m, {}, 1.0);
    CHECK(samples(s, "agent_transport_errors_total") == 6);
    for (const auto& type : ring_error_types()) {
        CAPTURE(type);
        CHECK(value(s, "agent_transport_errors_total",
                    {{"carrier", "ring"}, {"direction", "all"}, {"error_type", type}}) ==
              std::optional<double>(0));
    }
    // No ring, no traffic series.
    CHECK(samples(s, kMessages) == 0);
    CHECK(family(s, "agent_transport_throughput_mps") == nullptr);
}

TEST_CASE("ring metrics: exact counts, split in proportion to the sample") {
    auto m = metrics();
    RingObservation o = observation();
    o.tick.read_frames = 10;
    o.tick.read_bytes = 2000;
    o.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 200),
                          frame(kDirector, kSecurity, kRequest, kNormal, 200),
                          frame(kDirector, kSecurity, kResponse, kHigh, 400),
                          frame(kDirector, kSecurity, kRequest, kNormal, 200)};
    o.tick.written_frames = 9;
    o.tick.written_bytes = 1800;
    o.tick.written_sample = {frame(kDirector, kSecurity, kTask, kNormal, 100),
                             frame(kDirector, kTestbed, kTask, kNormal, 300)};
    const Snapshot s = build(m, {o}, 10.0);

    // Frames 10 over {3, 1}: 7.5 and 2.5, the tie to the first key. Bytes 2000 over
    // {600, 400}.
    CHECK(value(s, kMessages, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received")) ==
          std::optional<double>(8));
    CHECK(value(s, kMessages, transport("DIRECTOR", "SECURITY", "RESPONSE", "HIGH", "received")) ==
          std::optional<double>(2));
    CHECK(value(s, kBytes, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received")) ==
          std::optional<double>(1200));
    CHECK(value(s, kBytes, transport("DIRECTOR", "SECURITY", "RESPONSE", "HIGH", "received")) ==
          std::optional<double>(800));
    // Frames 9 over {1, 1}: 5 and 4. Bytes 1800 over {100, 300}: 450 and 1350.
    CHECK(value(s, kMessages, transport("DIRECTOR", "SECURITY", "TASK", "NORMAL", "sent")) ==
          std::optional<double>(5));
    CHECK(value(s, kMessages, transport("DIRECTOR", "TESTBED", "TASK", "NORMAL", "sent")) ==
          std::optional<double>(4));
    CHECK(value(s, kBytes, transport("DIRECTOR", "SECURITY", "TASK", "NORMAL", "sent")) ==
          std::optional<double>(450));
    CHECK(value(s, kBytes, transport("DIRECTOR", "TESTBED", "TASK", "NORMAL", "sent")) ==
          std::optional<double>(1350));

    CHECK(sum(s, kMessages, {{"carrier", "ring"}, {"direction", "received"}}) == 10);
    CHECK(sum(s, kBytes, {{"carrier", "ring"}, {"direction", "received"}}) == 2000);
    CHECK(sum(s, kMessages, {{"carrier", "ring"}, {"direction", "sent"}}) == 9);
    CHECK(sum(s, kBytes, {{"carrier", "ring"}, {"direction", "sent"}}) == 1800);
    CHECK(samples(s, kMessages) == 4);
    CHECK(family(s, kMessages)->type == prometheus::MetricType::Counter);

    // Coverage: 4 of 10 frames read were sampled.
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", kRing}}) ==
          std::optional<double>(0.4));
}

TEST_CASE("ring metrics: counts from several rings add up per label set") {
    auto m = metrics();
    RingObservation a = observation("agent_ring_a");
    a.tick.read_frames = 3;
    a.tick.read_bytes = 600;
    a.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 200)};
    RingObservation b = observation("agent_ring_b", 29, kSecurity);  // DIRECTOR instance 1
    b.tick.read_frames = 4;
    b.tick.read_bytes = 800;
    b.tick.read_sample = {frame(29, kSecurity, kRequest, kNormal, 200)};
    const Snapshot s = build(m, {a, b}, 1.0);
    CHECK(value(s, kMessages, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received")) ==
          std::optional<double>(7));
    CHECK(value(s, kBytes, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received")) ==
          std::optional<double>(1400));
    CHECK(samples(s, kMessages) == 1);
}

TEST_CASE("ring metrics: a tick without a sample reuses the ring's last mix") {
    auto m = metrics();
    RingObservation o = observation();
    o.tick.read_frames = 10;
    o.tick.read_bytes = 2000;
    o.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 200),
                          frame(kDirector, kSecurity, kRequest, kNormal, 200),
                          frame(kDirector, kSecurity, kRequest, kNormal, 200),
                          frame(kDirector, kSecurity, kResponse, kHigh, 400)};
    build(m, {o}, 1.0);

    RingObservation next = observation();
    next.tick.read_frames = 4;
    next.tick.read_bytes = 1000;
    const Snapshot s = build(m, {next}, 2.0);
    // Frames 4 over {3, 1}; bytes 1000 over {600, 400}.
    CHECK(value(s, kMessages, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received")) ==
          std::optional<double>(8 + 3));
    CHECK(value(s, kMessages, transport("DIRECTOR", "SECURITY", "RESPONSE", "HIGH", "received")) ==
          std::optional<double>(2 + 1));
    CHECK(value(s, kBytes, transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "received")) ==
          std::optional<double>(1200 + 600));
    CHECK(value(s, kBytes, transport("DIRECTOR", "SECURITY", "RESPONSE", "HIGH", "received")) ==
          std::optional<double>(800 + 400));
    // Coverage 0 of 4: nothing of this tick's breakdown was seen.
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", kRing}}) ==
          std::optional<double>(0));

    // The mix is kept per ring and direction: another ring, or the sent side of
    // this one, does not borrow it.
    RingObservation other = observation("agent_ring_other", kTestbed, kDirector);
    other.tick.read_frames = 2;
    other.tick.read_bytes = 300;
    RingObservation sent = observation();
    sent.tick.written_frames = 6;
    sent.tick.written_bytes = 900;
    const Snapshot t = build(m, {other, sent}, 3.0);
    CHECK(value(t, kMessages, transport("TESTBED", "DIRECTOR", "other", "other", "received")) ==
          std::optional<double>(2));
    CHECK(value(t, kBytes, transport("TESTBED", "DIRECTOR", "other", "other", "received")) ==
          std::optional<double>(300));
    CHECK(value(t, kMessages, transport("DIRECTOR", "SECURITY", "other", "other", "sent")) ==
          std::optional<double>(6));
    CHECK(value(t, kBytes, transport("DIRECTOR", "SECURITY", "other", "other", "sent")) ==
          std::optional<double>(900));
    CHECK(sum(t, kMessages, {{"direction", "received"}}) == 10 + 4 + 2);
}

TEST_CASE("ring metrics: a ring never sampled is labelled with its producer and consumer") {
    auto m = metrics();
    RingObservation o = observation(kRing, kTestbed, kSecurity);
    o.tick.written_frames = 5;
    o.tick.written_bytes = 840;
    o.tick.read_frames = 3;
    o.tick.read_bytes = 504;
    const Snapshot s = build(m, {o}, 1.0);
    CHECK(value(s, kMessages, transport("TESTBED", "SECURITY", "other", "other", "sent")) ==
          std::optional<double>(5));
    CHECK(value(s, kBytes, transport("TESTBED", "SECURITY", "other", "other", "sent")) ==
          std::optional<double>(840));
    CHECK(value(s, kMessages, transport("TESTBED", "SECURITY", "other", "other", "received")) ==
          std::optional<double>(3));
    CHECK(value(s, kBytes, transport("TESTBED", "SECURITY", "other", "other", "received")) ==
          std::optional<double>(504));
    CHECK(samples(s, kMessages) == 2);
}

TEST_CASE("ring metrics: counters never decrease, whatever the mix of later ticks") {
    auto m = metrics();
    std::map<std::pair<std::string, LabelSet>, double> last;
    const std::vector<std::vector<SampledFrame>> mixes = {
        {frame(kDirector, kSecurity, kRequest, kNormal, 200)},
        {frame(kDirector, kSecurity, kResponse, kHigh, 300),
         frame(kDirector, kSecurity, kResponse, kHigh, 300)},
        {},
        {frame(kDirector, kSecurity, kRequest, kNormal, 200),
         frame(kDirector, kSecurity, kTask, kHigh, 100)},
        {frame(kDirector, kSecurity, kTask, kHigh, 100)},
    };
    std::uint64_t frames = 0, bytes = 0;
    for (std::size_t tick = 0; tick < mixes.size(); ++tick) {
        CAPTURE(tick);
        RingObservation o = observation();
        o.tick.read_frames = 3 + tick * 5;
        o.tick.read_bytes = 700 + tick * 111;
        o.tick.read_sample = mixes[tick];
        frames += o.tick.read_frames;
        bytes += o.tick.read_bytes;
        const Snapshot s = build(m, {o}, 1.0 + double(tick));
        for (const char* name : {kMessages, kBytes}) {
            for (const auto& metric : family(s, name)->metric) {
                auto& before = last[{name, labels_of(metric)}];
                CHECK(metric.counter.value >= before);
                before = metric.counter.value;
            }
        }
        // Every series seen before is still exported (and was just compared).
        std::size_t present = 0;
        for (const auto& [series, v] : last)
            if (value(s, series.first, series.second) == std::optional<double>(v)) ++present;
        CHECK(present == samples(s, kMessages) + samples(s, kBytes));
        CHECK(sum(s, kMessages, {{"direction", "received"}}) == double(frames));
        CHECK(sum(s, kBytes, {{"direction", "received"}}) == double(bytes));
    }
}

TEST_CASE("ring metrics: queue depth and head-of-line gauges per ring") {
    auto m = metrics();
    RingObservation a = observation("agent_ring_a", kDirector, kSecurity);
    a.tick.depth_frames = 12;
    a.tick.depth_bytes = 3456;
    a.tick.hol_age_ns = 1'500'000;
    RingObservation b = observation("agent_ring_b", kTestbed, kSecurity);
    b.tick.depth_frames = 5;
    b.tick.depth_bytes = 840;
    RingObservation c = observation("agent_ring_c", kSecurity, kDirector);  // empty
    const Snapshot s = build(m, {a, b, c}, 1.0);

    const LabelSet qa = {{"ring", "agent_ring_a"},
                         {"source_agent", "DIRECTOR"},
                         {"target_agent", "SECURITY"},
                         {"carrier", "ring"}};
    const LabelSet qb = {{"ring", "agent_ring_b"},
                         {"source_agent", "TESTBED"},
                         {"target_agent", "SECURITY"},
                         {"carrier", "ring"}};
    const LabelSet qc = {{"ring", "agent_ring_c"},
                         {"source_agent", "SECURITY"},
                         {"target_agent", "DIRECTOR"},
                         {"carrier", "ring"}};
    CHECK(value(s, "agent_transport_queue_depth", qa) == std::optional<double>(12));
    CHECK(value(s, "agent_transport_queue_depth", qb) == std::optional<double>(5));
    CHECK(value(s, "agent_transport_queue_depth", qc) == std::optional<double>(0));
    CHECK(value(s, "agent_transport_queue_depth_bytes", qa) == std::optional<double>(3456));
    CHECK(value(s, "agent_transport_queue_depth_bytes", qb) == std::optional<double>(840));
    CHECK(samples(s, "agent_transport_queue_depth") == 3);

    const LabelSet ha = {
        {"ring", "agent_ring_a"}, {"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}};
    const LabelSet hb = {
        {"ring", "agent_ring_b"}, {"source_agent", "TESTBED"}, {"target_agent", "SECURITY"}};
    CHECK(value(s, "agent_ring_head_of_line_age_seconds", ha) ==
          std::optional<double>(1'500'000 * 1e-9));
    CHECK(value(s, "agent_ring_head_of_line_age_seconds", hb) == std::optional<double>(0));
    CHECK(family(s, "agent_ring_head_of_line_age_seconds")->type == prometheus::MetricType::Gauge);

    // What waits for each consuming agent, over all its rings.
    CHECK(value(s, "agent_queue_depth", {{"agent_id", "SECURITY"}, {"agent_type", "SECURITY"}}) ==
          std::optional<double>(17));
    CHECK(value(s, "agent_queue_depth", {{"agent_id", "DIRECTOR"}, {"agent_type", "DIRECTOR"}}) ==
          std::optional<double>(0));
    // No frames read: full coverage by convention.
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", "agent_ring_c"}}) ==
          std::optional<double>(1));
}

TEST_CASE("ring metrics: new error states and bad records are counted by type") {
    auto m = metrics();
    RingObservation a = observation("agent_ring_a");
    a.new_errors = {"RING_TRUNCATED"};
    a.tick.error = "RING_TRUNCATED";
    RingObservation b = observation("agent_ring_b");
    b.tick.bad_records = 3;
    b.tick.read_frames = 2;
    b.tick.read_bytes = 336;
    const Snapshot s = build(m, {a, b}, 1.0);
    auto errors = [](const Snapshot& snap, const char* type) {
        return value(snap, "agent_transport_errors_total",
                     {{"carrier", "ring"}, {"direction", "all"}, {"error_type", type}});
    };
    CHECK(errors(s, "RING_TRUNCATED") == std::optional<double>(1));
    CHECK(errors(s, "RING_BAD_RECORD") == std::optional<double>(3));
    CHECK(errors(s, "RING_BAD_SIZE") == std::optional<double>(0));
    CHECK(errors(s, "RING_TAIL_AHEAD") == std::optional<double>(0));
    CHECK(errors(s, "RING_COUNTERS_BACKWARDS") == std::optional<double>(0));
    CHECK(errors(s, "RING_UNREADABLE") == std::optional<double>(0));
    CHECK(samples(s, "agent_transport_errors_total") == 6);
    CHECK(family(s, "agent_transport_errors_total")->type == prometheus::MetricType::Counter);

    // Still in the error state (not new), more bad records, another ring enters one.
    a.new_errors.clear();
    b.tick.bad_records = 2;
    RingObservation c = observation("agent_ring_c");
    c.new_errors = {"RING_COUNTERS_BACKWARDS"};
    c.tick.error = "RING_COUNTERS_BACKWARDS";
    const Snapshot t = build(m, {a, b, c}, 2.0);
    CHECK(errors(t, "RING_TRUNCATED") == std::optional<double>(1));
    CHECK(errors(t, "RING_BAD_RECORD") == std::optional<double>(5));
    CHECK(errors(t, "RING_COUNTERS_BACKWARDS") == std::optional<double>(1));
}

TEST_CASE("ring metrics: throughput and the flow matrix from the second tick on") {
    auto m = metrics();
    RingObservation a = observation("agent_ring_a", kDirector, kSecurity);
    a.tick.read_frames = 30;
    a.tick.read_bytes = 3000;
    a.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 100)};
    RingObservation b = observation("agent_ring_b", kSecurity, kDirector);
    b.tick.read_frames = 10;
    b.tick.read_bytes = 1000;
    b.tick.read_sample = {frame(kSecurity, kDirector, kResponse, kNormal, 100),
                          frame(kTestbed, kDirector, kResponse, kNormal, 100)};
    const Snapshot first = build(m, {a, b}, 100.0);
    CHECK(family(first, "agent_transport_throughput_mps") == nullptr);
    CHECK(family(first, "message_flow_matrix") == nullptr);

    a.tick.read_frames = 8;
    b.tick.read_frames = 4;  // split 2 and 2 over its two pairs
    const Snapshot second = build(m, {a, b}, 104.0);
    CHECK(value(second, "agent_transport_throughput_mps", {{"carrier", "ring"}}) ==
          std::optional<double>(12.0 / 4.0));
    CHECK(value(second, "message_flow_matrix",
                {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}}) ==
          std::optional<double>(8.0 / 4.0));
    CHECK(value(second, "message_flow_matrix",
                {{"source_agent", "SECURITY"}, {"target_agent", "DIRECTOR"}}) ==
          std::optional<double>(2.0 / 4.0));
    CHECK(value(second, "message_flow_matrix",
                {{"source_agent", "TESTBED"}, {"target_agent", "DIRECTOR"}}) ==
          std::optional<double>(2.0 / 4.0));
    CHECK(samples(second, "message_flow_matrix") == 3);

    // A clock that did not move gives no rate rather than a division by zero.
    const Snapshot same = build(m, {a, b}, 104.0);
    CHECK(family(same, "agent_transport_throughput_mps") == nullptr);
}

TEST_CASE("ring metrics: the flow matrix adds to what the socket path put there") {
    auto m = metrics();
    RingObservation a = observation();
    a.tick.read_frames = 6;
    a.tick.read_bytes = 600;
    a.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 100)};
    build(m, {a}, 10.0);
    SnapshotBuilder builder;
    SnapshotBuilder::add_sample(
        builder.family("message_flow_matrix", "", prometheus::MetricType::Gauge), 5.0,
        {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}});
    m.build({a}, 12.0, builder);
    const Snapshot s = std::move(builder).build();
    CHECK(value(s, "message_flow_matrix",
                {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}}) ==
          std::optional<double>(5.0 + 3.0));
    CHECK(samples(s, "message_flow_matrix") == 1);
}

TEST_CASE("ring metrics: a ring in an error state contributes no counts and no gauges") {
    auto m = metrics();
    RingObservation bad = observation("agent_ring_bad", kDirector, kSecurity);
    bad.tick.error = "RING_TAIL_AHEAD";
    // Values decode_ring never sets with an error, to show they are ignored.
    bad.tick.read_frames = 100;
    bad.tick.read_bytes = 10000;
    bad.tick.written_frames = 50;
    bad.tick.written_bytes = 5000;
    bad.tick.depth_frames = 7;
    bad.tick.hol_age_ns = 5;
    bad.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 100, 1000)};
    RingObservation good = observation("agent_ring_good", kTestbed, kSecurity);
    good.tick.read_frames = 2;
    good.tick.read_bytes = 200;
    good.tick.depth_frames = 1;
    build(m, {bad, good}, 1.0);
    const Snapshot s = build(m, {bad, good}, 3.0);

    CHECK(sum(s, kMessages, {}) == 4);
    CHECK(sum(s, kBytes, {}) == 400);
    CHECK(value(s, kMessages, transport("TESTBED", "SECURITY", "other", "other", "received")) ==
          std::optional<double>(4));
    CHECK(samples(s, "agent_transport_queue_depth") == 1);
    CHECK(samples(s, "agent_ring_head_of_line_age_seconds") == 1);
    CHECK(value(s, "agentmon_ring_sample_coverage_ratio", {{"ring", "agent_ring_bad"}}) ==
          std::nullopt);
    CHECK(value(s, "agent_queue_depth", {{"agent_id", "SECURITY"}, {"agent_type", "SECURITY"}}) ==
          std::optional<double>(1));
    CHECK(family(s, "agent_transport_latency_seconds") == nullptr);
    CHECK(value(s, "agent_transport_throughput_mps", {{"carrier", "ring"}}) ==
          std::optional<double>(2.0 / 2.0));
}

TEST_CASE("ring metrics: the latency histogram holds exactly the frames read") {
    auto m = metrics();
    RingObservation o = observation();
    o.tick.read_frames = 10;
    o.tick.read_bytes = 1000;
    // Buckets (bounds 1 ms, 10 ms, 100 ms): two at <= 1 ms, one <= 10 ms, one above.
    o.tick.read_sample = {frame(kDirector, kSecurity, kRequest, kNormal, 100, 500'000),
                          frame(kDirector, kSecurity, kRequest, kNormal, 100, 800'000),
                          frame(kDirector, kSecurity, kRequest, kNormal, 100, 5'000'000),
                          frame(kDirector, kSecurity, kRequest, kNormal, 100, 200'000'000)};
    const Snapshot s = build(m, {o}, 1.0);
    const auto* f = family(s, "agent_transport_latency_seconds");
    REQUIRE(f != nullptr);
    REQUIRE(f->metric.size() == 1);
    const auto& h = f->metric[0].histogram;
    CHECK(labels_of(f->metric[0]) == LabelSet{{"source_agent", "DIRECTOR"},
                                              {"target_agent", "SECURITY"},
                                              {"carrier", "ring"}});
    CHECK(h.sample_count == 10);
    // 10 over {2, 1, 1}: 5, 2.5, 2.5 -> 5, 3, 2 (the tie to the lower bucket).
    REQUIRE(h.bucket.size() == 4);
    CHECK(h.bucket[0].cumulative_count == 5);
    CHECK(h.bucket[1].cumulative_count == 8);
    CHECK(h.bucket[2].cumulative_count == 8);
    CHECK(h.bucket[3].cumulative_count == 10);

    // The size histogram likewise holds every frame read, by message type.
    const auto* sizes = family(s, "agent_transport_message_size_bytes");
    REQUIRE(sizes != nullptr);
    REQUIRE(sizes->metric.size() == 1);
    CHECK(labels_of(sizes->metric[0]) ==
          LabelSet{{"msg_type", "REQUEST"}, {"carrier", "ring"}, {"direction", "received"}});
    CHECK(sizes->metric[0].histogram.sample_count == 10);
    CHECK(sizes->metric[0].histogram.sample_sum == 1000);
}
