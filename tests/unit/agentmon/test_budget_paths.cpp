// The transport sink shared by the socket and ring paths: both overflowing the
// same families in one tick still export every series once, with exactly one
// overflow series per label set it folds into (also where the family has no
// carrier label, as message_flow_matrix), and per-carrier totals stay exact
// through the fold.
#include <set>

#include "transport_path_fixture.h"

namespace {

RawFrames unix_frames(std::uint32_t source, std::uint32_t target, std::uint64_t frames) {
    RawFrames e{};
    e.key.source = source;
    e.key.target = target;
    e.key.msg_type = 1;
    e.key.priority = 2;
    e.key.carrier = CARRIER_UNIX;
    e.key.direction = DIR_RECEIVED;
    e.counts.frames = frames;
    e.counts.bytes = frames * 200;
    return e;
}

RingObservation ring(std::uint32_t producer, std::uint32_t consumer, std::uint64_t frames) {
    RingObservation o;
    o.ring = "agent_ring_" + std::to_string(producer);
    o.producer = producer;
    o.consumer = consumer;
    o.tick.written_frames = o.tick.read_frames = frames;
    o.tick.written_bytes = o.tick.read_bytes = frames * 200;
    return o;
}

double carrier_total(const prometheus::MetricFamily& family, const std::string& carrier) {
    double total = 0;
    for (const auto& m : family.metric)
        for (const auto& l : m.label)
            if (l.name == "carrier" && l.value == carrier) total += m.counter.value;
    return total;
}

std::size_t overflow_series(const prometheus::MetricFamily& family) {
    std::size_t n = 0;
    for (const auto& m : family.metric)
        for (const auto& l : m.label)
            if (l.name == "source_agent" && l.value == kOverflowValue) ++n;
    return n;
}

}  // namespace

TEST_CASE("socket and ring overflow in one sink: every exported series is unique") {
    // Room for two label sets per family: both paths overflow every pair family.
    auto sink = make_sink(SeriesBudget({}, 2));
    AgentRegistry registry;
    SocketMetrics socket(registry, sink);
    RingMetrics rings(registry, sink);
    std::vector<RingObservation> observed;
    for (std::uint32_t producer = 11; producer <= 16; ++producer)
        observed.push_back(ring(producer, producer + 1, producer));

    Snapshot snapshot;
    for (int tick = 1; tick <= 2; ++tick) {  // the second tick has rates: the flow matrix
        SocketReading reading;
        reading.monotonic_seconds = tick;
        std::vector<RawFrames> raw;
        for (std::uint32_t source = 1; source <= 6; ++source)
            raw.push_back(unix_frames(source, source + 1, 10 * source * tick));
        set_raw_frames(reading, raw);
        for (auto& o : observed) o.tick.read_sample = {};
        SnapshotBuilder out;
        socket.build(reading, out);
        rings.build(observed, tick, out);
        end_tick(*sink, out);
        snapshot = std::move(out).build();
    }

    std::set<std::string> names;
    for (const auto& family : snapshot.families) {
        CAPTURE(family.name);
        CHECK(names.insert(family.name).second);  // one family per name
        std::set<std::vector<std::pair<std::string, std::string>>> seen;
        for (const auto& m : family.metric) {
            std::vector<std::pair<std::string, std::string>> labels;
            for (const auto& l : m.label) labels.emplace_back(l.name, l.value);
            CHECK(seen.insert(labels).second);  // one sample per label set
        }
    }
    const auto* messages = family(snapshot, "agent_transport_messages_total");
    REQUIRE(messages != nullptr);
    // Exact per carrier through the fold: the socket's totals of the second
    // tick, and each ring's frames counted once sent and once received per tick.
    CHECK(carrier_total(*messages, "unix") == 20 * (1 + 2 + 3 + 4 + 5 + 6));
    CHECK(carrier_total(*messages, "ring") == 2 * 2 * (11 + 12 + 13 + 14 + 15 + 16));
    // One overflow series per (carrier, direction) the folded sets had: unix
    // received from the socket path, ring sent and ring received from the ring path.
    CHECK(overflow_series(*messages) == 3);
    const auto* flow = family(snapshot, "message_flow_matrix");
    REQUIRE(flow != nullptr);
    // Both paths folded pairs; the family has no carrier, so one overflow series.
    CHECK(flow->metric.size() == 3);
    CHECK(overflow_series(*flow) == 1);
    CHECK(sink->budget().dropped().at("agent_transport_messages_total") > 0);
    CHECK(value(snapshot, "agentmon_series_dropped_total", {{"family", "message_flow_matrix"}}) ==
          10.0);  // 12 pairs, 2 kept
}
