// SocketMetrics on hand-built readings: raw ids become names and sum per label set,
// histograms become cumulative Prometheus buckets in seconds, rates come from two
// readings, errors split from would-block, and the series budget folds and counts.
#include <doctest/doctest.h>

#include <prometheus/text_serializer.h>
#include <cerrno>
#include <limits>
#include <optional>

#include "metrics/socket_metrics.h"

using namespace agentmon;

namespace {

constexpr std::uint32_t kRequest = 1, kResponse = 2;
constexpr std::uint32_t kHigh = 1, kNormal = 2;

FrameCountEntry frames(std::uint32_t source, std::uint32_t target, std::uint32_t msg_type,
                       std::uint32_t priority, std::uint32_t carrier, std::uint32_t direction,
                       std::uint64_t count, std::uint64_t bytes) {
    FrameCountEntry e;
    e.key.source = source;
    e.key.target = target;
    e.key.msg_type = static_cast<__u16>(msg_type);
    e.key.priority = static_cast<__u8>(priority);
    e.key.carrier = static_cast<__u8>(carrier);
    e.key.direction = static_cast<__u8>(direction);
    e.counts.frames = count;
    e.counts.bytes = bytes;
    return e;
}

LabelSet transport(const char* source, const char* target, const char* msg_type,
                   const char* priority, const char* carrier, const char* direction) {
    return {{"source_agent", source}, {"target_agent", target}, {"msg_type", msg_type},
            {"priority", priority},   {"carrier", carrier},     {"direction", direction}};
}

HistogramBounds test_bounds() { return {{0.001, 0.01, 0.1}, {64, 256}}; }

// A tick at t = 10 s with a bit of everything.
SocketReading first_reading() {
    SocketReading r;
    r.monotonic_seconds = 10;
    r.frames = {
        frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 10, 1680),
        // Instance 1 of DIRECTOR (id 29 = 1 + 28): same label set as id 1, so it adds up.
        frames(29, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 5, 840),
        frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 15, 2520),
        frames(3, 1, kResponse, kHigh, CARRIER_UNIX, DIR_RECEIVED, 7, 1176),
        // Values without a name: target 0, msg_type 99, priority 9.
        frames(2, 0, 99, 9, CARRIER_TCP, DIR_SENT, 1, 200),
    };

    LatencyEntry latency;
    latency.source_type = 1;
    latency.target_type = 3;
    latency.carrier = CARRIER_UNIX;
    latency.histogram.buckets[0] = 2;                // <= 1 ms
    latency.histogram.buckets[1] = 3;                // <= 10 ms
    latency.histogram.buckets[2] = 1;                // <= 100 ms
    latency.histogram.buckets[HIST_BOUNDS_MAX] = 4;  // above every bound
    latency.histogram.sum = 1'234'500'000;           // ns
    r.latency.push_back(latency);

    SizeEntry size;
    size.msg_type = kRequest;
    size.carrier = CARRIER_UNIX;
    size.direction = DIR_SENT;
    size.histogram.buckets[0] = 0;
    size.histogram.buckets[1] = 15;
    size.histogram.sum = 2520;
    r.sizes.push_back(size);

    r.syscall_errors = {{EAGAIN, CARRIER_UNIX, DIR_SENT, 12},
                        {EPIPE, CARRIER_UNIX, DIR_SENT, 3},
                        {ECONNRESET, CARRIER_TCP, DIR_RECEIVED, 2}};

    r.walk_events[WALK_MALFORMED] = 4;
    r.walk_events[WALK_MALFORMED_BYTES] = 100;
    r.walk_events[WALK_TRUNCATED] = 2;
    r.walk_events[WALK_RCVQ_DROPS] = 1;
    r.frames_map_entries = 5;
    r.frames_map_capacity = 65536;
    return r;
}

// Two seconds later: more received frames, an instance and a TCP pair joining in.
SocketReading second_reading() {
    SocketReading r = first_reading();
    r.monotonic_seconds = 12;
    r.frames = {
        frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 25, 4200),
        frames(29, 3, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 6, 1008),
        frames(3, 1, kResponse, kHigh, CARRIER_UNIX, DIR_RECEIVED, 17, 2856),
        frames(2, 5, kRequest, kNormal, CARRIER_TCP, DIR_RECEIVED, 4, 672),
        // Sent frames never count towards the received rates.
        frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 1000, 168000),
    };
    return r;
}

Snapshot build(SocketMetrics& metrics, const SocketReading& reading) {
    SnapshotBuilder builder;
    metrics.build(reading, builder);
    return std::move(builder).build();
}

SocketMetrics default_metrics() {
    return SocketMetrics(AgentRegistry(), test_bounds(), SeriesBudget());
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

const prometheus::ClientMetric* sample(const Snapshot& s, const std::string& name,
                                       const LabelSet& labels) {
    const auto* f = family(s, name);
    if (!f) return nullptr;
    for (const auto& m : f->metric)
        if (labels_of(m) == labels) return &m;
    return nullptr;
}

// The value of a counter or gauge sample; nullopt when the sample is absent.
std::optional<double> value(const Snapshot& s, const std::string& name, const LabelSet& labels) {
    const auto* f = family(s, name);
    const auto* m = sample(s, name, labels);
    if (!f || !m) return std::nullopt;
    return f->type == prometheus::MetricType::Gauge ? m->gauge.value : m->counter.value;
}

std::size_t samples(const Snapshot& s, const std::string& name) {
    const auto* f = family(s, name);
    return f ? f->metric.size() : 0;
}

struct Expected {
    const char* family;
    LabelSet labels;
    double value;
};

void check_all(const Snapshot& s, const std::vector<Expected>& expected) {
    for (const auto& e : expected) {
        CAPTURE(e.family);
        CAPTURE(prometheus::TextSerializer().Serialize(
            {prometheus::MetricFamily{e.family, "", {}, {[&] {
                                          prometheus::ClientMetric m;
                                          for (const auto& [k, v] : e.labels)
                                              m.label.push_back({k, v});
                                          return m;
                                      }()}}}));
        CHECK(value(s, e.family, e.labels) == std::optional<double>(e.value));
    }
}

}  // namespace

TEST_CASE("frames and bytes are counted per named label set; instances add up under their type") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    check_all(
        s, {
               // ids 1 and 29 are both DIRECTOR: 10 + 5 frames, 1680 + 840 bytes.
               {"agent_transport_messages_total",
                transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "unix", "sent"), 15},
               {"agent_transport_bytes_total",
                transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "unix", "sent"), 2520},
               {"agent_transport_messages_total",
                transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "unix", "received"), 15},
               {"agent_transport_messages_total",
                transport("SECURITY", "DIRECTOR", "RESPONSE", "HIGH", "unix", "received"), 7},
               {"agent_transport_bytes_total",
                transport("SECURITY", "DIRECTOR", "RESPONSE", "HIGH", "unix", "received"), 1176},
               // No name for target 0, msg_type 99, priority 9: "unknown" and "other".
               {"agent_transport_messages_total",
                transport("PROJECT_ORCHESTRATOR", "unknown", "other", "other", "tcp", "sent"), 1},
               {"agent_transport_bytes_total",
                transport("PROJECT_ORCHESTRATOR", "unknown", "other", "other", "tcp", "sent"), 200},
           });
    // Five raw keys, four label sets: the instance folded into its type.
    CHECK(samples(s, "agent_transport_messages_total") == 4);
    CHECK(samples(s, "agent_transport_bytes_total") == 4);
    CHECK(family(s, "agent_transport_messages_total")->type == prometheus::MetricType::Counter);
}

TEST_CASE("a registry entry gives an id its type before the id arithmetic does") {
    // id 29 would be DIRECTOR by arithmetic; the registry says it is a MONITOR.
    SocketMetrics metrics(AgentRegistry({{29, 10, "monitor-eu"}}), test_bounds(), SeriesBudget());
    SocketReading r;
    r.frames = {frames(29, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 5, 840)};
    const Snapshot s = build(metrics, r);
    CHECK(value(s, "agent_transport_messages_total",
                transport("MONITOR", "SECURITY", "REQUEST", "NORMAL", "unix", "sent")) == 5);
}

TEST_CASE("the latency histogram has cumulative buckets with le in seconds and +Inf = count") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    const auto* f = family(s, "agent_transport_latency_seconds");
    REQUIRE(f != nullptr);
    CHECK(f->type == prometheus::MetricType::Histogram);
    const auto* m =
        sample(s, "agent_transport_latency_seconds",
               {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}, {"carrier", "unix"}});
    REQUIRE(m != nullptr);
    const auto& h = m->histogram;
    REQUIRE(h.bucket.size() == 4);  // three bounds and +Inf
    struct Bucket {
        double le;
        std::uint64_t cumulative;
    };
    const Bucket want[] = {
        {0.001, 2}, {0.01, 5}, {0.1, 6}, {std::numeric_limits<double>::infinity(), 10}};
    for (std::size_t i = 0; i < 4; ++i) {
        CAPTURE(i);
        CHECK(h.bucket[i].upper_bound == want[i].le);
        CHECK(h.bucket[i].cumulative_count == want[i].cumulative);
    }
    CHECK(h.sample_count == 10);
    CHECK(h.sample_sum == doctest::Approx(1.2345));  // 1 234 500 000 ns
}

TEST_CASE("the size histogram is in bytes, by msg_type, carrier and direction") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    const auto* m = sample(s, "agent_transport_message_size_bytes",
                           {{"msg_type", "REQUEST"}, {"carrier", "unix"}, {"direction", "sent"}});
    REQUIRE(m != nullptr);
    const auto& h = m->histogram;
    REQUIRE(h.bucket.size() == 3);
    CHECK(h.bucket[0].upper_bound == 64);
    CHECK(h.bucket[0].cumulative_count == 0);
    CHECK(h.bucket[1].upper_bound == 256);
    CHECK(h.bucket[1].cumulative_count == 15);
    CHECK(h.bucket[2].cumulative_count == 15);
    CHECK(h.sample_count == 15);
    CHECK(h.sample_sum == 2520);
}

TEST_CASE("latency histograms of one label set add up bucket by bucket") {
    auto metrics = default_metrics();
    SocketReading r;
    LatencyEntry a;
    a.source_type = 1;
    a.target_type = 3;
    a.carrier = CARRIER_TCP;
    a.histogram.buckets[0] = 1;
    a.histogram.sum = 500'000;
    LatencyEntry b = a;
    b.histogram.buckets[0] = 0;
    b.histogram.buckets[1] = 2;
    b.histogram.sum = 10'000'000;
    r.latency = {a, b};
    const Snapshot s = build(metrics, r);
    CHECK(samples(s, "agent_transport_latency_seconds") == 1);
    const auto* m =
        sample(s, "agent_transport_latency_seconds",
               {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}, {"carrier", "tcp"}});
    REQUIRE(m != nullptr);
    CHECK(m->histogram.bucket[0].cumulative_count == 1);
    CHECK(m->histogram.bucket[1].cumulative_count == 3);
    CHECK(m->histogram.sample_count == 3);
    CHECK(m->histogram.sample_sum == doctest::Approx(0.0105));
}

TEST_CASE("the first reading gives no rates: there is no interval to divide by") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    CHECK(family(s, "agent_transport_throughput_mps") == nullptr);
    CHECK(family(s, "message_flow_matrix") == nullptr);
}

TEST_CASE("throughput and the flow matrix are received frames per second between two readings") {
    auto metrics = default_metrics();
    build(metrics, first_reading());
    const Snapshot s = build(metrics, second_reading());
    check_all(s, {
                     // unix received: 7 + 15 at 10 s, 17 + 25 + 6 at 12 s.
                     {"agent_transport_throughput_mps", {{"carrier", "unix"}}, 13},
                     // tcp received: none at 10 s, 4 at 12 s.
                     {"agent_transport_throughput_mps", {{"carrier", "tcp"}}, 2},
                     // 15 at 10 s; 25 (id 1) + 6 (id 29) at 12 s.
                     {"message_flow_matrix",
                      {{"source_agent", "DIRECTOR"}, {"target_agent", "SECURITY"}},
                      8},
                     {"message_flow_matrix",
                      {{"source_agent", "SECURITY"}, {"target_agent", "DIRECTOR"}},
                      5},
                     {"message_flow_matrix",
                      {{"source_agent", "PROJECT_ORCHESTRATOR"}, {"target_agent", "TESTBED"}},
                      2},
                 });
    CHECK(samples(s, "agent_transport_throughput_mps") == 2);
    CHECK(samples(s, "message_flow_matrix") == 3);
    CHECK(family(s, "message_flow_matrix")->type == prometheus::MetricType::Gauge);
}

TEST_CASE("a counter that went down reads as no traffic, not a negative rate") {
    auto metrics = default_metrics();
    build(metrics, second_reading());
    SocketReading later = first_reading();  // fewer frames: the maps were re-created
    later.monotonic_seconds = 14;
    const Snapshot s = build(metrics, later);
    CHECK(value(s, "agent_transport_throughput_mps", {{"carrier", "unix"}}) == 0);
}

TEST_CASE("EAGAIN counts as would-block, other errnos and decoder losses as errors") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    check_all(s, {
                     {"agent_transport_would_block_total",
                      {{"carrier", "unix"}, {"direction", "sent"}, {"error_type", "EAGAIN"}},
                      12},
                     {"agent_transport_errors_total",
                      {{"carrier", "unix"}, {"direction", "sent"}, {"error_type", "EPIPE"}},
                      3},
                     {"agent_transport_errors_total",
                      {{"carrier", "tcp"}, {"direction", "received"}, {"error_type", "ECONNRESET"}},
                      2},
                     {"agent_transport_errors_total",
                      {{"carrier", "all"}, {"direction", "all"}, {"error_type", "MALFORMED"}},
                      4},
                     // Present at zero so the error ratio has its series from the start.
                     {"agent_transport_errors_total",
                      {{"carrier", "all"}, {"direction", "all"}, {"error_type", "MAP_FULL"}},
                      0},
                     {"agent_transport_errors_total",
                      {{"carrier", "all"}, {"direction", "all"}, {"error_type", "RCVQ_DROP"}},
                      1},
                 });
    CHECK(sample(s, "agent_transport_errors_total",
                 {{"carrier", "unix"}, {"direction", "sent"}, {"error_type", "EAGAIN"}}) ==
          nullptr);
    // Plus UNAUTHORIZED and SPOOFED_SOURCE, present at zero.
    CHECK(samples(s, "agent_transport_errors_total") == 7);
    CHECK(samples(s, "agent_transport_would_block_total") == 1);
}

TEST_CASE("every decoder event is exported by name, zero included") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    struct Case {
        const char* event;
        double count;
    };
    const Case cases[] = {
        {"MALFORMED", 4},           {"MALFORMED_BYTES", 100}, {"TRUNCATED", 2},
        {"READ_FAILED", 0},         {"FRAMES_MAP_FULL", 0},   {"CONN_STATE_FAILED", 0},
        {"UNSUPPORTED_SYSCALL", 0}, {"WATCHED_MAP_FULL", 0},  {"RCVQ_DROPS", 1}};
    for (const auto& c : cases) {
        CAPTURE(c.event);
        CHECK(value(s, "agentmon_decoder_events_total", {{"event", c.event}}) == c.count);
    }
    CHECK(samples(s, "agentmon_decoder_events_total") == WALK_EVENT_COUNT);
}

TEST_CASE("the frames map's fill is exported") {
    auto metrics = default_metrics();
    const Snapshot s = build(metrics, first_reading());
    CHECK(value(s, "agentmon_bpf_map_entries", {{"map", "frames"}}) == 5);
    CHECK(value(s, "agentmon_bpf_map_capacity", {{"map", "frames"}}) == 65536);
}

TEST_CASE("a budget of one folds the second label set into overflow and counts it dropped") {
    SocketMetrics metrics(AgentRegistry(), test_bounds(),
                          SeriesBudget({{"agent_transport_messages_total", 1}}));
    SocketReading r;
    // Admitted in label order: source_agent DIRECTOR sorts before SECURITY.
    r.frames = {frames(1, 3, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 10, 1680),
                frames(3, 1, kRequest, kNormal, CARRIER_UNIX, DIR_SENT, 7, 1176)};
    const LabelSet overflow =
        transport("overflow", "overflow", "overflow", "overflow", "overflow", "overflow");
    // Twice: the same set stays folded and is counted once.
    for (int tick = 0; tick < 2; ++tick) {
        CAPTURE(tick);
        const Snapshot s = build(metrics, r);
        check_all(
            s,
            {
                {"agent_transport_messages_total",
                 transport("DIRECTOR", "SECURITY", "REQUEST", "NORMAL", "unix", "sent"), 10},
                {"agent_transport_messages_total", overflow, 7},
                // Another family, the default budget: both sets have their own series.
                {"agent_transport_bytes_total",
                 transport("SECURITY", "DIRECTOR", "REQUEST", "NORMAL", "unix", "sent"), 1176},
                {"agentmon_series_dropped_total",
                 {{"family", "agent_transport_messages_total"}},
                 1},
                {"agentmon_series_dropped_total", {{"family", "agent_transport_bytes_total"}}, 0},
            });
        CHECK(samples(s, "agent_transport_messages_total") == 2);
    }
}

TEST_CASE("the whole snapshot serialises as Prometheus text") {
    auto metrics = default_metrics();
    build(metrics, first_reading());
    const Snapshot s = build(metrics, second_reading());
    std::string text;
    CHECK_NOTHROW(text = prometheus::TextSerializer().Serialize(s.families));
    CHECK(text.find("# TYPE agent_transport_latency_seconds histogram") != std::string::npos);
    CHECK(text.find("agent_transport_latency_seconds_bucket{carrier=\"unix\",source_agent="
                    "\"DIRECTOR\",target_agent=\"SECURITY\",le=\"+Inf\"} 10") != std::string::npos);
    CHECK(text.find("agent_transport_throughput_mps{carrier=\"unix\"} 13") != std::string::npos);
}

TEST_CASE("agent signals: processing time, unanswered and processed by agent type, intruders") {
    auto metrics = default_metrics();
    SocketReading r = first_reading();
    r.processing[3].buckets[0] = 4;  // SECURITY answered four requests
    r.processing[3].sum = 4000;
    r.unanswered[5] = 2;  // TESTBED left two unanswered
    IntruderEntry intruder;
    intruder.tgid = 4242;
    intruder.uid = 1000;
    intruder.target_type = 1;
    intruder.carrier = CARRIER_UNIX;
    intruder.frames = 9;
    intruder.comm = "intruder";
    r.intruders = {intruder};
    r.walk_events[WALK_SPOOFED_SOURCE] = 6;
    const Snapshot s = build(metrics, r);
    check_all(s,
              {
                  {"agent_unanswered_requests_total", {{"agent_type", "TESTBED"}}, 2},
                  {"agent_unanswered_requests_total", {{"agent_type", "DIRECTOR"}}, 0},
                  {"agent_transport_errors_total",
                   {{"carrier", "unix"}, {"direction", "received"}, {"error_type", "UNAUTHORIZED"}},
                   9},
                  {"agent_transport_errors_total",
                   {{"carrier", "all"}, {"direction", "sent"}, {"error_type", "SPOOFED_SOURCE"}},
                   6},
                  {"agent_unauthorized_frames_total",
                   {{"offender_comm", "intruder"},
                    {"offender_uid", "1000"},
                    {"target_agent", "DIRECTOR"},
                    {"carrier", "unix"}},
                   9},
              });
    CHECK(samples(s, "agent_unanswered_requests_total") == 28);
    CHECK(samples(s, "agent_messages_processed_total") == 28);
    const auto* processing = family(s, "agent_processing_time_seconds");
    REQUIRE(processing != nullptr);
    REQUIRE(processing->metric.size() == 1);
    CHECK(processing->metric[0].label[0].value == "SECURITY");
    CHECK(processing->metric[0].histogram.sample_count == 4);
    CHECK(processing->metric[0].histogram.sample_sum == doctest::Approx(4e-6));
}
