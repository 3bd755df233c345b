// collect_ring_record: the ring reader's ring buffer records become one RingRead
// per slot; stale, short and unknown records are ignored, never read past.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "kernel/ring_records.h"

using namespace agentmon;

namespace {

const std::map<std::uint32_t, std::uint32_t> kAsked = {{3, 9}};

std::vector<std::uint8_t> control_record(std::uint32_t slot, std::uint32_t generation) {
    ring_control_read r{};
    r.kind = RING_RECORD_CONTROL;
    r.slot = slot;
    r.generation = generation;
    r.read_ns = 1234;
    r.head_after = 4096;
    r.hol_valid = 1;
    r.hol_position = 168;
    r.hol[0] = 0x4E;
    const std::uint64_t head = 4096, tail = 168;
    const std::uint32_t size = 1 << 14, mask = size - 1;
    std::memcpy(r.control + 0, &head, 8);
    std::memcpy(r.control + 64, &tail, 8);
    std::memcpy(r.control + 128, &size, 4);
    std::memcpy(r.control + 132, &mask, 4);
    std::vector<std::uint8_t> out(sizeof r);
    std::memcpy(out.data(), &r, sizeof r);
    return out;
}

std::vector<std::uint8_t> window_record(std::uint32_t slot, std::uint32_t generation,
                                        std::uint32_t len, std::uint64_t position) {
    std::vector<std::uint8_t> out(sizeof(ring_window_read), 0xAB);
    ring_window_read w{};
    w.kind = RING_RECORD_WINDOW;
    w.slot = slot;
    w.generation = generation;
    w.len = len;
    w.position = position;
    std::memcpy(out.data(), &w, offsetof(ring_window_read, data));
    return out;
}

void collect(const std::vector<std::uint8_t>& record, std::map<std::uint32_t, RingRead>& reads,
             std::size_t size = 0) {
    collect_ring_record(record.data(), size ? size : record.size(), kAsked, reads);
}

}  // namespace

TEST_CASE("ring records: a control record and its windows make the slot's read") {
    std::map<std::uint32_t, RingRead> reads;
    collect(control_record(3, 9), reads);
    collect(window_record(3, 9, 100, 168), reads);
    collect(window_record(3, 9, 4096, 268), reads);
    REQUIRE(reads.size() == 1);
    const RingRead& read = reads.at(3);
    CHECK(read.status == RING_READ_OK);
    CHECK(read.read_ns == 1234);
    CHECK(read.control.head == 4096);
    CHECK(read.control.tail == 168);
    CHECK(read.control.size == 1 << 14);
    REQUIRE(read.hol_position.has_value());
    CHECK(*read.hol_position == 168);
    CHECK(read.hol.size() == RING_HOL_BYTES);
    CHECK(read.hol[0] == 0x4E);
    REQUIRE(read.windows.size() == 2);
    CHECK(read.windows[0].position == 168);
    CHECK(read.windows[0].data.size() == 100);
    CHECK(read.windows[1].data.size() == 4096);
    CHECK(read.windows[1].data[4095] == 0xAB);
}

TEST_CASE("ring records: stale, unknown, short and oversized records are ignored") {
    std::map<std::uint32_t, RingRead> reads;
    collect(control_record(3, 8), reads);             // an older generation
    collect(control_record(4, 9), reads);             // a slot not asked for
    collect(control_record(3, 9), reads, 100);        // shorter than a control record
    collect(window_record(3, 9, 4097, 0), reads);     // longer than a window
    collect(window_record(3, 9, 10, 0), reads, 24);   // the header alone
    collect(std::vector<std::uint8_t>(7, 1), reads);  // shorter than kind and slot
    CHECK(reads.empty());
}

TEST_CASE("ring records: windows without their control record are dropped") {
    std::map<std::uint32_t, RingRead> reads;
    collect(window_record(3, 9, 64, 0), reads);
    REQUIRE(reads.size() == 1);
    drop_unplaced_reads(reads);
    CHECK(reads.empty());

    collect(control_record(3, 9), reads);
    collect(window_record(3, 9, 64, 0), reads);
    drop_unplaced_reads(reads);
    CHECK(reads.size() == 1);
}
