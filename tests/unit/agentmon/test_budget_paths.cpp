// The series budget shared by the socket and ring paths: both overflowing one
// family in one tick still export every series once (the overflow keeps carrier
// and direction, so each path folds into its own series), and per-carrier totals
// stay exact through the fold.
#include <doctest/doctest.h>

#include <set>

#include "metrics/ring_metrics.h"
#include "metrics/socket_metrics.h"

using namespace agentmon;

namespace {

FrameCountEntry unix_frames(std::uint32_t source, std::uint32_t target, std::uint64_t frames) {
    FrameCountEntry e{};
    e.key.source = source;
    e.key.target = target;
    e.key.msg_type = 1;
    e.key.priority = 2;
    e.key.carrier = CARRIER_UNIX;
    e.key.direction = DIR_SENT;
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

}  // namespace

TEST_CASE("socket and ring overflow in one tick: every exported series is unique") {
    // Room for two label sets per family: both paths overflow the counters.
    auto budget = std::make_shared<SeriesBudget>(std::map<std::string, std::size_t>{}, 2);
    AgentRegistry registry;
    SocketMetrics socket(registry, {{0.001, 0.01}, {64, 256}}, budget);
    RingMetrics rings(registry, {0.001, 0.01}, budget);
    SocketReading reading;
    reading.monotonic_seconds = 1;
    for (std::uint32_t source = 1; source <= 6; ++source)
        reading.frames.push_back(unix_frames(source, source + 1, 10 * source));
    std::vector<RingObservation> observed;
    for (std::uint32_t producer = 11; producer <= 16; ++producer)
        observed.push_back(ring(producer, producer + 1, producer));

    SnapshotBuilder out;
    socket.build(reading, out);
    rings.build(observed, 1.0, out);
    emit_series_dropped(*budget, budgeted_families(), out);
    const Snapshot snapshot = std::move(out).build();

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
        if (family.name == "agent_transport_messages_total") {
            CHECK(carrier_total(family, "unix") == 10 * (1 + 2 + 3 + 4 + 5 + 6));
            // Each ring counts its frames once sent and once received.
            CHECK(carrier_total(family, "ring") == 2 * (11 + 12 + 13 + 14 + 15 + 16));
        }
    }
    CHECK(budget->dropped().at("agent_transport_messages_total") > 0);
}
