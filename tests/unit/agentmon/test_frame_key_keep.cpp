// The kernel's frames map keyed on the reduced key (frame_key_keep): which header
// fields the labels make it keep, how many keys that bounds it to, and that the
// series exported from the reduced map are the ones the full key gives.
#include <prometheus/text_serializer.h>

#include "transport_path_fixture.h"

namespace {

RawFrames raw(std::uint32_t source, std::uint32_t target, std::uint16_t msg_type,
              std::uint8_t priority, std::uint8_t carrier, std::uint8_t direction,
              std::uint64_t n) {
    RawFrames e;
    e.key.source = source;
    e.key.target = target;
    e.key.msg_type = msg_type;
    e.key.priority = priority;
    e.key.carrier = carrier;
    e.key.direction = direction;
    e.counts = {n, n * 100};
    return e;
}

// A full mesh of `types` agent types (two instances each) on three carriers.
std::vector<RawFrames> mesh(std::uint32_t types, std::uint64_t scale) {
    std::vector<RawFrames> out;
    for (std::uint32_t s = 1; s <= types; ++s)
        for (std::uint32_t t = 1; t <= types; ++t)
            for (std::uint8_t carrier : {CARRIER_UNIX, CARRIER_DGRAM, CARRIER_TCP})
                for (std::uint8_t dir : {DIR_SENT, DIR_RECEIVED}) {
                    out.push_back(raw(s, t, std::uint16_t(1 + (s + t) % 3),
                                      std::uint8_t((s + t) % 3), carrier, dir, scale * (s + t)));
                    // Instance 1 of the source type (id + 28), a type without a
                    // name (99) and an out-of-range priority (9).
                    out.push_back(raw(s + 28, t, 99, 9, carrier, dir, scale));
                }
    return out;
}

std::string render(const LabelSelection& labels, std::uint32_t keep, std::uint64_t scale) {
    SocketPath path(AgentRegistry(), SeriesBudget({}, 100000, labels));
    SocketReading r;
    r.monotonic_seconds = 1;
    set_raw_frames(r, mesh(6, scale), AgentRegistry(), keep);
    build(path, r);
    r.monotonic_seconds = 2;
    set_raw_frames(r, mesh(6, 2 * scale), AgentRegistry(), keep);
    return prometheus::TextSerializer().Serialize(build(path, r).families);
}

}  // namespace

TEST_CASE("the frames map keys by every label the frame counters keep, and no other") {
    CHECK(frame_key_keep(LabelSelection()) == KEEP_ALL);
    // Shipped: frames by source, type and priority; bytes by source.
    CHECK(frame_key_keep(LabelSelection::defaults()) ==
          (KEEP_SOURCE | KEEP_MSG_TYPE | KEEP_PRIORITY));
    LabelSelection pairs = LabelSelection::defaults();
    pairs.keep("agent_transport_bytes_total", {"source_agent", "target_agent"});
    CHECK(frame_key_keep(pairs) == (KEEP_SOURCE | KEEP_TARGET | KEEP_MSG_TYPE | KEEP_PRIORITY));
    LabelSelection carriers;
    carriers.keep("agent_transport_messages_total", {});
    carriers.keep("agent_transport_bytes_total", {});
    CHECK(frame_key_keep(carriers) == 0u);
}

TEST_CASE("the reduced key bounds the map: every key there can be fits") {
    // 29 types x 16 message types x 7 priorities x 4 carriers x 2 directions.
    CHECK(frame_series_slots(frame_key_keep(LabelSelection::defaults())) == 25984u);
    CHECK(frame_series_slots(0) == 8u);
    CHECK(frame_series_slots(KEEP_ALL) == 29u * 29 * 16 * 7 * 8);
}

TEST_CASE("the reduced map exports exactly the series and values of the full key") {
    for (const LabelSelection& labels : {LabelSelection::defaults(), LabelSelection()}) {
        const std::string full = render(labels, KEEP_ALL, 1);
        const std::string reduced = render(labels, frame_key_keep(labels), 1);
        CHECK(reduced == full);
        CHECK(full.find("agent_transport_messages_total") != std::string::npos);
        CHECK(full.find("message_flow_matrix") != std::string::npos);
    }
}

TEST_CASE("the reduced map holds far fewer keys than the full key") {
    SocketReading full, reduced;
    set_raw_frames(full, mesh(28, 1), AgentRegistry(), KEEP_ALL);
    set_raw_frames(reduced, mesh(28, 1), AgentRegistry(),
                   frame_key_keep(LabelSelection::defaults()));
    CHECK(reduced.frames.size() * 10 < full.frames.size());
    // The pair array and the senders' counts are the same either way.
    CHECK(reduced.pairs.size() == full.pairs.size());
    CHECK(reduced.sent_by_agent.size() == 56);
}
