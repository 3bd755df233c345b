// read_ring_file: the final read of a closed ring through its file gives what
// the iterator's read gives.
#include "ring_decode_fixture.h"

namespace {

// `bytes` in an unlinked temporary file, handed to `read` as its descriptor.
template <class Read>
RingRead read_through_file(const std::vector<std::uint8_t>& bytes, Read read) {
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size());
    REQUIRE(std::fflush(file) == 0);
    RingRead out = read(fileno(file));
    std::fclose(file);
    return out;
}

// A ring's bytes read back with read_ring_file.
RingRead read_file(const std::vector<std::uint8_t>& bytes, const RingCursor& before,
                   std::uint64_t now_ns) {
    return read_through_file(bytes, [&](int fd) { return read_ring_file(fd, before, now_ns); });
}

// A ring's bytes read back with read_ring_live.
RingRead read_live(const std::vector<std::uint8_t>& bytes, std::uint64_t sample_from,
                   std::uint32_t windows) {
    return read_through_file(bytes,
                             [&](int fd) { return read_ring_live(fd, sample_from, windows); });
}

void check_same(const RingTick& a, const RingTick& b) {
    CHECK(a.error == b.error);
    check_counts(a, {b.written_frames, b.written_bytes, b.read_frames, b.read_bytes});
    CHECK(a.depth_frames == b.depth_frames);
    CHECK(a.depth_bytes == b.depth_bytes);
    CHECK(a.bad_records == b.bad_records);
    CHECK(a.torn_windows == b.torn_windows);
    CHECK(same_cursor(a.after, b.after));
    for (auto sample : {&RingTick::read_sample, &RingTick::written_sample}) {
        const auto& x = a.*sample;
        const auto& y = b.*sample;
        REQUIRE(x.size() == y.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            CAPTURE(i);
            CHECK(x[i].position == y[i].position);
            CHECK(x[i].source == y[i].source);
            CHECK(x[i].target == y[i].target);
            CHECK(x[i].msg_type == y[i].msg_type);
            CHECK(x[i].priority == y[i].priority);
            CHECK(x[i].bytes == y[i].bytes);
            CHECK(x[i].latency_ns == y[i].latency_ns);
        }
    }
}

}  // namespace

TEST_CASE("ring file read: the same counts and samples as the iterator's read") {
    TestRing ring(1 << 14, /*producer=*/5);
    for (int i = 0; i < 12; ++i) ring.push({.timestamp = 10, .payload = 232});
    ring.pop(10);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    // From 4000 on: 4 KiB windows cut the record at 8000 in its header and the one at
    // 12000 in its payload; a pad at 16000; two records after the wrap.
    for (int i = 0; i < 30; ++i)
        ring.push({.msg_type = 9, .priority = 3, .source = 5, .timestamp = 1500, .payload = 232});
    ring.pop(29);
    REQUIRE(ring.head() == 16384 + 800);
    REQUIRE(ring.tail() == 15600);

    const RingRead from_file = read_file(ring.bytes(), first.after, 2000);
    REQUIRE(from_file.status == RING_READ_OK);
    CHECK(from_file.read_ns == 2000);
    const RingTick file_tick = decode_ring(from_file, first.after, kSpec);
    CHECK(from_file.final_read);  // its latency ends where the consumer stopped
    RingRead from_memory = read_of(ring, 2000, end_to_end(ring, first.after.tail, ring.head()));
    from_memory.final_read = true;
    const RingTick memory_tick = decode_ring(from_memory, first.after, kSpec);
    check_same(file_tick, memory_tick);
    CHECK(file_tick.read_frames == 29);
    CHECK(file_tick.written_frames == 30);
    CHECK(file_tick.read_sample.size() == 29);
    CHECK(file_tick.written_sample.size() == 30);
    CHECK(file_tick.bad_records == 0);
    for (const auto& f : file_tick.written_sample) {
        CHECK(f.msg_type == 9);
        CHECK(f.priority == 3);
        CHECK(f.source == 5);
    }
}

TEST_CASE("ring file read: a cursor more than a lap behind starts at the oldest intact record") {
    TestRing ring(4096);
    std::vector<std::uint64_t> frames;
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < 6; ++i) frames.push_back(ring.push({.payload = 300}));  // 472
        ring.pop(6);
    }
    const RingRead read = read_file(ring.bytes(), RingCursor{}, 99);
    REQUIRE(read.status == RING_READ_OK);
    REQUIRE_FALSE(read.windows.empty());
    CHECK(read.windows.front().position == ring.head() - ring.size());
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    std::vector<std::uint64_t> intact;
    for (std::uint64_t p : frames)
        if (p >= ring.head() - ring.size()) intact.push_back(p);
    CHECK(positions(tick.read_sample) == intact);
    CHECK(tick.read_frames == 24);
    CHECK(tick.bad_records == 0);
}

TEST_CASE("ring file read: bad files are reported with the iterator's statuses") {
    TestRing ring(4096);
    ring.push({});
    ring.push({});
    ring.pop(1);

    SUBCASE("truncated") {
        std::vector<std::uint8_t> bytes = ring.bytes();
        bytes.resize(bytes.size() - 1);
        const RingRead read = read_file(bytes, RingCursor{}, 5);
        CHECK(read.status == RING_READ_TRUNCATED);
        const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
        CHECK(tick.error == "RING_TRUNCATED");
        CHECK(tick.written_frames == 0);
    }
    SUBCASE("shorter than the control block") {
        std::vector<std::uint8_t> bytes(ring.bytes().begin(), ring.bytes().begin() + 100);
        const RingRead read = read_file(bytes, RingCursor{}, 5);
        CHECK(read.status == RING_READ_CONTROL_FAILED);
        CHECK(decode_ring(read, RingCursor{}, kSpec).error == "RING_UNREADABLE");
    }
    SUBCASE("no file") {
        CHECK(read_ring_file(-1, RingCursor{}, 5).status == RING_READ_CONTROL_FAILED);
    }
    SUBCASE("size not a power of two") {
        std::vector<std::uint8_t> bytes = ring.bytes();
        put<std::uint32_t>(&bytes[128], 3000);
        put<std::uint32_t>(&bytes[132], 2999);
        CHECK(read_file(bytes, RingCursor{}, 5).status == RING_READ_BAD_SIZE);
    }
    SUBCASE("mask is not size - 1") {
        std::vector<std::uint8_t> bytes = ring.bytes();
        put<std::uint32_t>(&bytes[132], 4096);
        CHECK(read_file(bytes, RingCursor{}, 5).status == RING_READ_BAD_SIZE);
    }
    SUBCASE("tail ahead of head") {
        std::vector<std::uint8_t> bytes = ring.bytes();
        put<std::uint64_t>(&bytes[64], ring.head() + 8);
        CHECK(read_file(bytes, RingCursor{}, 5).status == RING_READ_TAIL_AHEAD);
    }
    SUBCASE("intact") {
        const RingRead read = read_file(ring.bytes(), RingCursor{}, 5);
        CHECK(read.status == RING_READ_OK);
        const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
        CHECK(tick.written_frames == 2);
        CHECK(tick.read_frames == 1);
        CHECK(positions(tick.written_sample) == std::vector<std::uint64_t>{0, 168});
    }
}

namespace {

std::vector<std::uint64_t> window_positions(const RingRead& read) {
    std::vector<std::uint64_t> out;
    for (const auto& w : read.windows) out.push_back(w.position);
    return out;
}

}  // namespace

TEST_CASE("ring live file read: the iterator's copy of a live ring, planned the same way") {
    TestRing ring(1 << 17);
    std::uint64_t record = 0;
    for (int i = 0; i < 200; ++i) {
        const std::uint64_t at = ring.push({.source = 1, .timestamp = 10, .payload = 232});
        if (i == 1) record = at;  // the records' length: the second starts where the first ends
    }
    ring.pop(180);
    const std::uint64_t last_tail = 170 * record;  // the previous tick's tail

    SUBCASE("a span the windows less one cover: end to end from the last tail") {
        const RingRead read = read_live(ring.bytes(), last_tail, 4);
        REQUIRE(read.status == RING_READ_OK);
        CHECK(read.read_ns > 0);
        CHECK(read.head_after == ring.head());
        REQUIRE(ring.head() - last_tail <= 3 * RING_WINDOW_BYTES);
        std::vector<std::uint64_t> want;
        for (std::uint64_t p = last_tail; p < ring.head(); p += RING_WINDOW_BYTES)
            want.push_back(p);
        CHECK(window_positions(read) == want);
        CHECK(read.windows.back().data.size() == (ring.head() - last_tail) % RING_WINDOW_BYTES);
        // Every record from the last tail on is sampled.
        const RingTick tick = decode_ring(read, RingCursor{.tail = last_tail}, kSpec);
        CHECK(tick.bad_records == 0);
        CHECK(tick.written_sample.size() == 30);
    }
    SUBCASE("a longer span: spread evenly, 8-aligned, from the last tail") {
        const RingRead read = read_live(ring.bytes(), 0, 4);
        REQUIRE(read.status == RING_READ_OK);
        // The kernel's plan: lo + span * i / windows, masked to 8 bytes.
        std::vector<std::uint64_t> want;
        for (std::uint64_t i = 0; i < 4; ++i) want.push_back((ring.head() * i / 4) & ~7ull);
        CHECK(window_positions(read) == want);
    }
    SUBCASE("the oldest unconsumed header, as read_hol copies it") {
        const RingRead read = read_live(ring.bytes(), 0, 0);
        REQUIRE(read.hol_position.has_value());
        CHECK(*read.hol_position == ring.tail());
        CHECK(read.windows.empty());
        const RingRead memory = read_of(ring, 1, {});
        CHECK(read.hol == memory.hol);
    }
    SUBCASE("the same statuses as the final read for a bad file") {
        CHECK(read_ring_live(-1, 0, 4).status == RING_READ_CONTROL_FAILED);
        std::vector<std::uint8_t> bytes = ring.bytes();
        put<std::uint64_t>(&bytes[64], ring.head() + 8);
        CHECK(read_live(bytes, 0, 4).status == RING_READ_TAIL_AHEAD);
    }
}
