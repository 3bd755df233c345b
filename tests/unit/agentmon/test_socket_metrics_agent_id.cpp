// agent_messages_processed_total and agent_processing_time_seconds by agent_id:
// the instances of a type sum exactly to what the family exported per type before
// it had agent_id (frame_pairs by target type; the processing histogram by type),
// including what the kernel could only count by type, and ["agent_type"] in the
// config's labels gives the per-type series back.
#include <map>

#include "socket_metrics_fixture.h"

namespace {

constexpr const char* kProcessed = "agent_messages_processed_total";
constexpr const char* kProcessing = "agent_processing_time_seconds";

// Ids 1, 29, 57 are DIRECTOR's instances 0..2; 3 and 31 SECURITY's; 100 is named.
AgentRegistry registry() { return AgentRegistry({{100, 3, "security-eu"}}); }

// The per-type count before agent_id: received frames of frame_pairs by target type.
std::array<double, AGENT_TYPE_SLOTS> per_type_received(const SocketReading& r) {
    std::array<double, AGENT_TYPE_SLOTS> received{};
    for (const auto& e : r.pairs)
        if (e.direction == DIR_RECEIVED && e.target_type < AGENT_TYPE_SLOTS)
            received[e.target_type] += static_cast<double>(e.counts.frames);
    return received;
}

SocketReading mesh_reading() {
    SocketReading r;
    r.monotonic_seconds = 10;
    std::vector<RawFrames> raw;
    for (std::uint32_t target : {1u, 29u, 3u, 31u, 100u, 5u})
        for (std::uint32_t source : {1u, 3u, 29u})
            raw.push_back(frames(source, target, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED,
                                 target * 3 + source, 64));
    raw.push_back(frames(1, 100, kRequest, kNormal, CARRIER_TCP, DIR_RECEIVED, 11, 64));
    raw.push_back(frames(3, 1, kResponse, kNormal, CARRIER_UNIX, DIR_SENT, 13, 64));
    raw.push_back(frames(3, 0, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 2, 64));  // no target
    set_raw_frames(r, raw, registry());
    // The kernel had no room for TESTBED's id (5): counted by its type only.
    r.received_unattributed[5] = r.received_by_agent.at(5);
    r.received_by_agent.erase(5);
    r.backlog_by_agent = {{1, 0}, {57, 0}};  // DIRECTOR_2 is discovered, received nothing

    // Processing time: per responder, plus SECURITY replies counted by type only;
    // `processing` holds every reply, as the reader sums it.
    auto hist = [](std::uint64_t fast, std::uint64_t slow, std::uint64_t sum_ns) {
        HistogramReading h;
        h.buckets[0] = fast;
        h.buckets[2] = slow;
        h.sum = sum_ns;
        return h;
    };
    r.processing_by_agent = {{3, 3, hist(4, 1, 60'000'000)},
                             {31, 3, hist(2, 0, 1'000'000)},
                             {100, 3, hist(0, 3, 150'000'000)},
                             {29, 1, hist(5, 5, 250'000'000)}};
    for (const auto& e : r.processing_by_agent) r.processing[e.agent_type].add(e.histogram);
    r.processing[3].add(hist(1, 1, 50'000'000));  // the kernel's by-type fallback
    return r;
}

struct HistogramSums {
    std::vector<double> cumulative;  // by bucket, +Inf last
    double count = 0, sum = 0;
};

// The family's samples summed by agent_type, over whatever other labels they carry.
std::map<std::string, double> counter_by_type(const Snapshot& s, const std::string& name) {
    std::map<std::string, double> out;
    const auto* f = family(s, name);
    if (f)
        for (const auto& m : f->metric) out[labels_of(m).at("agent_type")] += m.counter.value;
    return out;
}

std::map<std::string, HistogramSums> histogram_by_type(const Snapshot& s, const std::string& name) {
    std::map<std::string, HistogramSums> out;
    const auto* f = family(s, name);
    if (!f) return out;
    for (const auto& m : f->metric) {
        HistogramSums& h = out[labels_of(m).at("agent_type")];
        h.cumulative.resize(m.histogram.bucket.size(), 0);
        for (std::size_t i = 0; i < m.histogram.bucket.size(); ++i)
            h.cumulative[i] += static_cast<double>(m.histogram.bucket[i].cumulative_count);
        h.count += static_cast<double>(m.histogram.sample_count);
        h.sum += m.histogram.sample_sum;
    }
    return out;
}

// What the per-type histogram of `type` exported: the kernel's every reply.
HistogramSums expected_histogram(const HistogramReading& h, const HistogramBounds& bounds) {
    HistogramSums out;
    double running = 0;
    for (std::size_t i = 0; i < bounds.latency_seconds.size(); ++i) {
        running += static_cast<double>(h.buckets[i]);
        out.cumulative.push_back(running);
    }
    out.cumulative.push_back(static_cast<double>(h.count()));
    out.count = static_cast<double>(h.count());
    out.sum = static_cast<double>(h.sum) * 1e-9;
    return out;
}

void check_equal(const HistogramSums& got, const HistogramSums& want) {
    REQUIRE(got.cumulative.size() == want.cumulative.size());
    for (std::size_t i = 0; i < want.cumulative.size(); ++i) {
        CAPTURE(i);
        CHECK(got.cumulative[i] == want.cumulative[i]);
    }
    CHECK(got.count == want.count);
    CHECK(got.sum == doctest::Approx(want.sum));
}

}  // namespace

TEST_CASE("agent_messages_processed_total: the instances of a type sum to the type's count") {
    SocketPath path(registry());
    const SocketReading r = mesh_reading();
    const Snapshot s = build(path, r);
    const auto by_type = counter_by_type(s, kProcessed);
    const auto reference = per_type_received(r);
    for (std::uint32_t type = 1; type < AGENT_TYPE_SLOTS; ++type) {
        const std::string name(agent_type_name(type));
        CAPTURE(name);
        const auto it = by_type.find(name);
        CHECK((it == by_type.end() ? 0.0 : it->second) == reference[type]);
    }
    CHECK(by_type.count("unknown") == 0);  // frames naming no target, as before
    // Per instance, named as the other per-agent families name them.
    CHECK(value(s, kProcessed, {{"agent_type", "DIRECTOR"}, {"agent_id", "DIRECTOR_1"}}) ==
          29 * 9 + 1 + 3 + 29);
    CHECK(value(s, kProcessed, {{"agent_type", "SECURITY"}, {"agent_id", "security-eu"}}) ==
          100 * 9 + 1 + 3 + 29 + 11);
    CHECK(value(s, kProcessed, {{"agent_type", "DIRECTOR"}, {"agent_id", "DIRECTOR_2"}}) == 0);
    CHECK(value(s, kProcessed, {{"agent_type", "TESTBED"}, {"agent_id", "overflow"}}) ==
          reference[5]);
}

TEST_CASE("agent_processing_time_seconds: the instances of a type sum to the type's histogram") {
    SocketPath path(registry());
    const SocketReading r = mesh_reading();
    const Snapshot s = build(path, r);
    const auto by_type = histogram_by_type(s, kProcessing);
    CHECK(by_type.size() == 2);
    for (std::uint32_t type : {1u, 3u}) {
        const std::string name(agent_type_name(type));
        CAPTURE(name);
        REQUIRE(by_type.count(name));
        check_equal(by_type.at(name), expected_histogram(r.processing[type], test_bounds()));
    }
    const auto* eu =
        sample(s, kProcessing, {{"agent_type", "SECURITY"}, {"agent_id", "security-eu"}});
    REQUIRE(eu != nullptr);
    CHECK(eu->histogram.sample_count == 3);
    // The replies the kernel kept by type only.
    const auto* rest =
        sample(s, kProcessing, {{"agent_type", "SECURITY"}, {"agent_id", "overflow"}});
    REQUIRE(rest != nullptr);
    CHECK(rest->histogram.sample_count == 2);
    CHECK(sample(s, kProcessing, {{"agent_type", "DIRECTOR"}, {"agent_id", "overflow"}}) ==
          nullptr);
}

TEST_CASE("labels [\"agent_type\"] give back one series per type, with the per-type values") {
    LabelSelection selection;
    selection.keep(kProcessed, {"agent_type"});
    selection.keep(kProcessing, {"agent_type"});
    SocketPath path(registry(), SeriesBudget({}, kDefaultSeriesBudget, selection));
    const SocketReading r = mesh_reading();
    const Snapshot s = build(path, r);
    const auto reference = per_type_received(r);
    for (std::uint32_t type : {1u, 3u, 5u}) {
        const std::string name(agent_type_name(type));
        CAPTURE(name);
        CHECK(value(s, kProcessed, {{"agent_type", name}}) == reference[type]);
    }
    CHECK(samples(s, kProcessed) == 3);
    for (std::uint32_t type : {1u, 3u}) {
        const auto* m =
            sample(s, kProcessing, {{"agent_type", std::string(agent_type_name(type))}});
        REQUIRE(m != nullptr);
        CHECK(m->histogram.sample_count == r.processing[type].count());
    }
    CHECK(samples(s, kProcessing) == 2);
}

TEST_CASE("a full mesh of 28 agents, one per type, fits the default budget") {
    SocketPath path;
    SocketReading r;
    std::vector<RawFrames> raw;
    for (std::uint32_t source = 1; source <= 28; ++source)
        for (std::uint32_t target = 1; target <= 28; ++target)
            raw.push_back(
                frames(source, target, kRequest, kNormal, CARRIER_UNIX, DIR_RECEIVED, 1, 64));
    set_raw_frames(r, raw);
    for (std::uint32_t id = 1; id <= 28; ++id) {
        HistogramReading h;
        h.buckets[0] = id;
        r.processing_by_agent.push_back({id, id, h});
        r.processing[id].add(h);
    }
    const Snapshot s = build(path, r);
    CHECK(samples(s, kProcessed) == 28);
    CHECK(samples(s, kProcessing) == 28);
    for (const char* f : {kProcessed, kProcessing})
        CHECK(value(s, "agentmon_series_dropped_total", {{"family", f}}) == 0);
    for (std::uint32_t id = 1; id <= 28; ++id)
        CHECK(value(s, kProcessed,
                    {{"agent_type", std::string(agent_type_name(id))},
                     {"agent_id", std::string(agent_type_name(id))}}) == 28);
}
