// decode_ring and read_ring_file on rings built in memory with the docs/transport.md "Ring layout"
// layout: a producer that pads to the end of the data area like the bus does, a
// consumer that drains like agentbus::RingConsumer, and reads assembled the way
// bpf/ring_reader.bpf.c copies them (control block, the header at the tail, sample
// windows clamped to the data end and to head).
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "kernel/ring_file_read.h"
#include "model/ring_decode.h"

using namespace agentmon;

namespace {

constexpr std::uint32_t kAgenMagic = 0x4147454E;
constexpr std::uint64_t kHeaderBytes = 168;

constexpr std::uint64_t align8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }

template <class T>
void put(std::uint8_t* p, T value) {
    std::memcpy(p, &value, sizeof value);
}

template <class T>
T get(const std::uint8_t* p) {
    T value;
    std::memcpy(&value, p, sizeof value);
    return value;
}

struct Frame {
    std::uint32_t msg_type = 1, priority = 2, source = 1, target = 3;
    std::uint64_t timestamp = 0;
    std::uint32_t payload = 0;
};

// A ring in memory: 4096 bytes of control block, then `size` bytes of data.
class TestRing {
  public:
    explicit TestRing(std::uint32_t size, std::uint32_t producer = 1, std::uint32_t consumer = 3)
        : size_(size), bytes_(RING_DATA_OFFSET + size, 0) {
        put<std::uint32_t>(&bytes_[128], size);
        put<std::uint32_t>(&bytes_[132], size - 1);
        put<std::uint32_t>(&bytes_[136], producer);
        put<std::uint32_t>(&bytes_[140], consumer);
        sync();
    }

    // Appends one frame like agentbus::RingProducer (a pad record first when it
    // would cross the data end); returns its ring position.
    std::uint64_t push(const Frame& f) {
        const std::uint64_t frame = kHeaderBytes + f.payload, rec = align8(frame);
        std::uint64_t offset = head_ & (size_ - 1);
        if (offset + rec > size_) {
            put<std::uint32_t>(data(offset), RING_PAD_MAGIC);
            head_ += size_ - offset;
            offset = 0;
        }
        REQUIRE(head_ + rec - tail_ <= size_);  // the test never overfills its ring
        std::uint8_t* p = data(offset);
        std::memset(p, 0, kHeaderBytes);
        std::memset(p + kHeaderBytes, 0x5A, rec - kHeaderBytes);  // payload and padding
        put<std::uint32_t>(p + 0, kAgenMagic);
        put<std::uint16_t>(p + 4, 1);  // version
        put<std::uint32_t>(p + 8, f.msg_type);
        put<std::uint32_t>(p + 12, f.priority);
        put<std::uint64_t>(p + 16, f.timestamp);
        put<std::uint64_t>(p + 24, ++sequence_);
        put<std::uint32_t>(p + 32, f.source);
        put<std::uint32_t>(p + 36, 1);  // target_count
        put<std::uint32_t>(p + 40, f.target);
        put<std::uint32_t>(p + 104, f.payload);
        const std::uint64_t position = head_;
        head_ += rec;
        msgs_written_ += 1;
        bytes_written_ += frame;
        sync();
        return position;
    }

    // Consumes up to `frames` records like agentbus::RingConsumer::drain: a pad is
    // skipped only on the way to a record, so the tail can be left on a pad.
    void pop(std::size_t frames) {
        while (tail_ < head_ && frames > 0) {
            const std::uint64_t offset = tail_ & (size_ - 1);
            if (get<std::uint32_t>(data(offset)) == RING_PAD_MAGIC) {
                tail_ += size_ - offset;
                continue;
            }
            const std::uint64_t frame = kHeaderBytes + get<std::uint32_t>(data(offset) + 104);
            tail_ += align8(frame);
            msgs_read_ += 1;
            bytes_read_ += frame;
            --frames;
        }
        sync();
    }

    std::uint8_t* at(std::uint64_t position) { return data(position & (size_ - 1)); }
    std::uint8_t* data(std::uint64_t offset) { return &bytes_[RING_DATA_OFFSET + offset]; }
    const std::uint8_t* data(std::uint64_t offset) const {
        return &bytes_[RING_DATA_OFFSET + offset];
    }
    std::vector<std::uint8_t>& bytes() { return bytes_; }
    const std::vector<std::uint8_t>& bytes() const { return bytes_; }
    std::uint32_t size() const { return size_; }
    std::uint64_t head() const { return head_; }
    std::uint64_t tail() const { return tail_; }

  private:
    void sync() {
        put<std::uint64_t>(&bytes_[0], head_);
        put<std::uint64_t>(&bytes_[64], tail_);
        put<std::uint64_t>(&bytes_[192], msgs_written_);
        put<std::uint64_t>(&bytes_[200], bytes_written_);
        put<std::uint64_t>(&bytes_[256], msgs_read_);
        put<std::uint64_t>(&bytes_[264], bytes_read_);
    }

    std::uint32_t size_;
    std::vector<std::uint8_t> bytes_;
    std::uint64_t head_ = 0, tail_ = 0, sequence_ = 0;
    std::uint64_t msgs_written_ = 0, bytes_written_ = 0, msgs_read_ = 0, bytes_read_ = 0;
};

using Windows = std::vector<std::pair<std::uint64_t, std::uint64_t>>;  // position, length

// What the iterator copies of `ring` at `read_ns`: the control block, the header at
// the tail (past a pad, as read_hol does) and each window of `windows`, cut at the
// data end and at head (read_window).
RingRead read_of(const TestRing& ring, std::uint64_t read_ns, const Windows& windows) {
    RingRead read;
    read.read_ns = read_ns;
    read.control = parse_control_block(ring.bytes().data());
    read.head_after = ring.head();
    const std::uint32_t size = ring.size();
    if (ring.tail() < ring.head()) {
        std::uint64_t position = ring.tail(), offset = position & (size - 1);
        if (offset + RING_HOL_BYTES > size ||
            (offset != 0 && get<std::uint32_t>(ring.data(offset)) == RING_PAD_MAGIC)) {
            position += size - offset;
            offset = 0;
        }
        read.hol_position = position;
        read.hol.assign(ring.data(offset), ring.data(offset) + RING_HOL_BYTES);
    }
    for (const auto& [position, want] : windows) {
        const std::uint64_t offset = position & (size - 1);
        std::uint64_t len = std::min<std::uint64_t>(want, RING_WINDOW_BYTES);
        len = std::min<std::uint64_t>(len, size - offset);
        if (position >= ring.head()) continue;
        len = std::min<std::uint64_t>(len, ring.head() - position);
        RingWindow w;
        w.position = position;
        w.data.assign(ring.data(offset), ring.data(offset) + len);
        read.windows.push_back(std::move(w));
    }
    return read;
}

// Windows of at most 4 KiB laid end to end over [from, to), each ending at the data
// end when it would cross it: every byte of the span in exactly one window.
Windows end_to_end(const TestRing& ring, std::uint64_t from, std::uint64_t to) {
    Windows windows;
    for (std::uint64_t position = from; position < to;) {
        const std::uint64_t offset = position & (ring.size() - 1);
        const std::uint64_t len =
            std::min<std::uint64_t>({RING_WINDOW_BYTES, ring.size() - offset, to - position});
        windows.emplace_back(position, len);
        position += len;
    }
    return windows;
}

std::vector<std::uint64_t> positions(const std::vector<SampledFrame>& frames) {
    std::vector<std::uint64_t> out;
    for (const auto& f : frames) out.push_back(f.position);
    return out;
}

bool same_cursor(const RingCursor& a, const RingCursor& b) {
    return a.head == b.head && a.tail == b.tail && a.msgs_written == b.msgs_written &&
           a.bytes_written == b.bytes_written && a.msgs_read == b.msgs_read &&
           a.bytes_read == b.bytes_read && a.read_ns == b.read_ns;
}

const FrameSpec kSpec = agen_preset();

}  // namespace

TEST_CASE("ring decode: the control block's fields are read at their documented offsets") {
    std::vector<std::uint8_t> bytes(RING_CONTROL_BYTES, 0xEE);
    put<std::uint64_t>(&bytes[0], 0x1122334455667788ull);
    put<std::uint64_t>(&bytes[64], 0x1122334455660000ull);
    put<std::uint32_t>(&bytes[128], 1u << 20);
    put<std::uint32_t>(&bytes[132], (1u << 20) - 1);
    put<std::uint32_t>(&bytes[136], 7);
    put<std::uint32_t>(&bytes[140], 35);
    put<std::uint64_t>(&bytes[192], 1001);
    put<std::uint64_t>(&bytes[200], 2002);
    put<std::uint64_t>(&bytes[256], 3003);
    put<std::uint64_t>(&bytes[264], 4004);
    const RingControlBlock c = parse_control_block(bytes.data());
    CHECK(c.head == 0x1122334455667788ull);
    CHECK(c.tail == 0x1122334455660000ull);
    CHECK(c.size == 1u << 20);
    CHECK(c.mask == (1u << 20) - 1);
    CHECK(c.producer == 7);
    CHECK(c.consumer == 35);
    CHECK(c.msgs_written == 1001);
    CHECK(c.bytes_written == 2002);
    CHECK(c.msgs_read == 3003);
    CHECK(c.bytes_read == 4004);
}

TEST_CASE("ring decode: exact deltas from the cursor; the first read counts everything") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 5; ++i) ring.push({.payload = 100});  // 268 bytes each
    ring.pop(2);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    REQUIRE(first.error.empty());
    CHECK(first.written_frames == 5);
    CHECK(first.written_bytes == 5 * 268);
    CHECK(first.read_frames == 2);
    CHECK(first.read_bytes == 2 * 268);
    CHECK(first.after.head == 5 * 272);
    CHECK(first.after.tail == 2 * 272);
    CHECK(first.after.msgs_written == 5);
    CHECK(first.after.bytes_written == 5 * 268);
    CHECK(first.after.msgs_read == 2);
    CHECK(first.after.bytes_read == 2 * 268);
    CHECK(first.after.read_ns == 1000);

    for (int i = 0; i < 3; ++i) ring.push({.payload = 32});  // 200 bytes each
    ring.pop(4);                                             // three of 268, one of 200
    const RingTick second = decode_ring(read_of(ring, 2000, {}), first.after, kSpec);
    REQUIRE(second.error.empty());
    CHECK(second.written_frames == 3);
    CHECK(second.written_bytes == 600);
    CHECK(second.read_frames == 4);
    CHECK(second.read_bytes == 3 * 268 + 200);
    CHECK(second.after.msgs_written == 8);
    CHECK(second.after.msgs_read == 6);
    CHECK(second.after.head == 5 * 272 + 3 * 200);
    CHECK(second.after.tail == 5 * 272 + 200);
    CHECK(second.after.read_ns == 2000);

    // Nothing happened: zero deltas.
    const RingTick idle = decode_ring(read_of(ring, 3000, {}), second.after, kSpec);
    CHECK(idle.error.empty());
    CHECK(idle.written_frames == 0);
    CHECK(idle.written_bytes == 0);
    CHECK(idle.read_frames == 0);
    CHECK(idle.read_bytes == 0);
    CHECK(idle.written_sample.empty());
    CHECK(idle.read_sample.empty());
}

TEST_CASE("ring decode: a first read of a ring with history counts it all, pads excluded") {
    TestRing ring(4096);
    // 400-byte records: ten fit a lap, the eleventh needs a 96-byte pad first.
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 7; ++i) ring.push({.payload = 232});
        ring.pop(7);
    }
    ring.push({.payload = 232});
    REQUIRE(ring.head() > ring.size());  // wrapped with a pad
    const RingTick tick = decode_ring(read_of(ring, 50, {}), RingCursor{}, kSpec);
    REQUIRE(tick.error.empty());
    CHECK(tick.written_frames == 22);
    CHECK(tick.written_bytes == 22 * 400);
    CHECK(tick.read_frames == 21);
    CHECK(tick.read_bytes == 21 * 400);
    CHECK(tick.depth_frames == 1);
    CHECK(tick.depth_bytes == 400);
}

TEST_CASE("ring decode: depth in frames and in unpadded bytes") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 5; ++i) ring.push({.payload = 101});  // 269 bytes, 272 with padding
    ring.pop(2);
    const RingTick tick = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    CHECK(tick.depth_frames == 3);
    CHECK(tick.depth_bytes == 3 * 269);  // not head - tail (816)
    ring.pop(3);
    const RingTick drained = decode_ring(read_of(ring, 2000, {}), tick.after, kSpec);
    CHECK(drained.depth_frames == 0);
    CHECK(drained.depth_bytes == 0);
}

TEST_CASE("ring decode: head-of-line age is the read time minus the oldest waiting header") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 1'000'000});
    ring.push({.timestamp = 4'000'000});
    ring.push({.timestamp = 7'000'000});
    ring.pop(1);
    const RingTick tick = decode_ring(read_of(ring, 9'500'000, {}), RingCursor{}, kSpec);
    REQUIRE(tick.hol_age_ns.has_value());
    CHECK(*tick.hol_age_ns == 5'500'000);  // the second frame's
    CHECK(tick.bad_records == 0);

    // A header stamped after the read (clocks of two processes): age 0, not huge.
    const RingTick early = decode_ring(read_of(ring, 3'000'000, {}), RingCursor{}, kSpec);
    REQUIRE(early.hol_age_ns.has_value());
    CHECK(*early.hol_age_ns == 0);

    // Empty: no frame waits, no age.
    ring.pop(2);
    const RingTick empty = decode_ring(read_of(ring, 9'600'000, {}), tick.after, kSpec);
    CHECK_FALSE(empty.hol_age_ns.has_value());
    CHECK(empty.depth_frames == 0);
    const RingTick fresh = decode_ring(read_of(TestRing(4096), 10, {}), RingCursor{}, kSpec);
    CHECK_FALSE(fresh.hol_age_ns.has_value());
    CHECK(fresh.written_frames == 0);
}

TEST_CASE("ring decode: the oldest waiting frame behind a pad is found at the data start") {
    TestRing ring(4096);
    for (int i = 0; i < 10; ++i) ring.push({.timestamp = 100, .payload = 232});  // 0 .. 4000
    ring.pop(10);  // tail at 4000, where the pad will go
    ring.push({.timestamp = 600, .payload = 232});
    REQUIRE(ring.head() == 4096 + 400);
    REQUIRE(ring.tail() == 4000);
    RingRead read = read_of(ring, 1000, {});
    REQUIRE(read.hol_position == std::optional<std::uint64_t>(4096));
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    REQUIRE(tick.hol_age_ns.has_value());
    CHECK(*tick.hol_age_ns == 400);
}

TEST_CASE("ring decode: a header at the tail that is no frame counts as a bad record") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 5});
    RingRead read = read_of(ring, 100, {});
    put<std::uint32_t>(read.hol.data(), 0xDEADBEEF);
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    CHECK_FALSE(tick.hol_age_ns.has_value());
    CHECK(tick.bad_records == 1);
    CHECK(tick.written_frames == 1);  // the counts do not depend on the records
}

TEST_CASE("ring decode: windows laid end to end from the last tail sample every record") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> old_frames, new_frames;
    for (int i = 0; i < 3; ++i) old_frames.push_back(ring.push({.payload = 232}));
    ring.pop(1);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    // 400-byte records and 4 KiB windows from 400: the first window ends 96 bytes
    // into the header of the record at 4400, others end inside payloads.
    for (int i = 0; i < 40; ++i)
        new_frames.push_back(ring.push({.msg_type = 2, .priority = 1, .payload = 232}));
    ring.pop(30);
    const RingRead read = read_of(ring, 2000, end_to_end(ring, first.after.tail, ring.head()));
    REQUIRE(read.windows.size() == 5);
    const RingTick tick = decode_ring(read, first.after, kSpec);
    REQUIRE(tick.error.empty());
    CHECK(tick.bad_records == 0);
    CHECK(tick.torn_windows == 0);

    std::vector<std::uint64_t> read_expected = {old_frames[1], old_frames[2]};
    read_expected.insert(read_expected.end(), new_frames.begin(), new_frames.begin() + 28);
    CHECK(positions(tick.read_sample) == read_expected);
    CHECK(tick.read_sample.size() == tick.read_frames);
    CHECK(positions(tick.written_sample) == new_frames);
    CHECK(tick.written_sample.size() == tick.written_frames);
    for (const auto& f : tick.written_sample) {
        CHECK(f.msg_type == 2);
        CHECK(f.priority == 1);
        CHECK(f.source == 1);
        CHECK(f.target == 3);
        CHECK(f.bytes == 400);
        CHECK(f.latency_ns == 0);
    }
}

TEST_CASE("ring decode: every record is sampled across a pad and the wrap") {
    TestRing ring(4096);
    for (int i = 0; i < 8; ++i) ring.push({.payload = 232});
    ring.pop(8);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 6; ++i) frames.push_back(ring.push({.source = 2, .payload = 232}));
    ring.pop(6);
    // 3200, 3600, pad at 4000, then 4096, 4496, 4896, 5296.
    REQUIRE(frames == std::vector<std::uint64_t>{3200, 3600, 4096, 4496, 4896, 5296});
    const Windows windows = end_to_end(ring, first.after.tail, ring.head());
    REQUIRE(windows == Windows{{3200, 896}, {4096, 1600}});
    const RingTick tick = decode_ring(read_of(ring, 2000, windows), first.after, kSpec);
    CHECK(tick.bad_records == 0);
    CHECK(positions(tick.read_sample) == frames);
    CHECK(positions(tick.written_sample) == frames);
    CHECK(tick.read_frames == 6);
    for (const auto& f : tick.read_sample) CHECK(f.source == 2);

    // The windows' order does not matter: they are walked by position.
    const RingTick reversed =
        decode_ring(read_of(ring, 2000, {windows[1], windows[0]}), first.after, kSpec);
    CHECK(positions(reversed.read_sample) == frames);
}

TEST_CASE("ring decode: a window starting mid-record resynchronises and invents no frame") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 6; ++i) frames.push_back(ring.push({.payload = 400}));  // 568 bytes
    // A fake header inside the first payload whose successor is not a record: not a
    // boundary.
    std::uint8_t* fake = ring.at(frames[0] + kHeaderBytes + 8);
    std::memset(fake, 0, kHeaderBytes);
    put<std::uint32_t>(fake, kAgenMagic);
    put<std::uint32_t>(fake + 36, 1);
    ring.pop(6);

    // Starting inside the first record's header, and inside its payload before the
    // fake header: the first whole record after the start is the next boundary.
    for (std::uint64_t start : {std::uint64_t{8}, std::uint64_t{kHeaderBytes}}) {
        CAPTURE(start);
        const RingTick tick =
            decode_ring(read_of(ring, 1000, {{frames[0] + start, 4096}}), RingCursor{}, kSpec);
        CHECK(positions(tick.read_sample) ==
              std::vector<std::uint64_t>(frames.begin() + 1, frames.end()));
        CHECK(tick.bad_records == 0);
        CHECK(tick.read_frames == 6);
    }
    // Starting inside the third record's payload.
    const RingTick tick =
        decode_ring(read_of(ring, 1000, {{frames[2] + 200, 4096}}), RingCursor{}, kSpec);
    CHECK(positions(tick.read_sample) ==
          std::vector<std::uint64_t>(frames.begin() + 3, frames.end()));
}

TEST_CASE("ring decode: a bad record is counted and the walk resynchronises after it") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 6; ++i) frames.push_back(ring.push({.payload = 100}));
    ring.pop(6);

    SUBCASE("bad magic") { put<std::uint32_t>(ring.at(frames[2]), 0x12345678); }
    SUBCASE("payload above max_payload") {
        put<std::uint32_t>(ring.at(frames[2]) + 104, (16u << 20) + 1);
    }
    SUBCASE("too many targets") { put<std::uint32_t>(ring.at(frames[2]) + 36, 17); }
    const RingTick tick =
        decode_ring(read_of(ring, 1000, end_to_end(ring, 0, ring.head())), RingCursor{}, kSpec);
    CHECK(tick.bad_records == 1);
    CHECK(positions(tick.read_sample) ==
          std::vector<std::uint64_t>{frames[0], frames[1], frames[3], frames[4], frames[5]});
    CHECK(tick.read_frames == 6);  // exact counts come from the counters
}

TEST_CASE("ring decode: a frame larger than the ring is a bad record") {
    TestRing ring(8192);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 4; ++i) frames.push_back(ring.push({.payload = 100}));
    ring.pop(4);
    put<std::uint32_t>(ring.at(frames[1]) + 104, 8192);  // 168 + 8192 > 8192
    const RingTick tick = decode_ring(read_of(ring, 1000, {{0, 4096}}), RingCursor{}, kSpec);
    CHECK(tick.bad_records == 1);
    CHECK(positions(tick.read_sample) ==
          std::vector<std::uint64_t>{frames[0], frames[2], frames[3]});
}

TEST_CASE("ring decode: a window the producer may have overwritten is dropped and counted") {
    TestRing ring(1 << 16);
    std::vector<std::uint64_t> frames;
    for (int i = 0; i < 25; ++i) frames.push_back(ring.push({.payload = 232}));  // to 10000
    ring.pop(25);
    RingRead read = read_of(ring, 1000, {{0, 4096}, {4096, 4096}, {8192, 4096}});
    REQUIRE(read.windows.size() == 3);
    // head moved past 0 + size while the windows were copied: the first is suspect.
    read.head_after = (1 << 16) + 8;
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    CHECK(tick.torn_windows == 1);
    // The second window starts inside the record at 4000 and resynchronises at 4400;
    // nothing from the first window is sampled.
    std::vector<std::uint64_t> expected;
    for (std::uint64_t p : frames)
        if (p >= 4400) expected.push_back(p);
    CHECK(positions(tick.read_sample) == expected);

    // At exactly position + size nothing of the window was overwritten yet.
    read.head_after = 1 << 16;
    const RingTick intact = decode_ring(read, RingCursor{}, kSpec);
    CHECK(intact.torn_windows == 0);
    CHECK(positions(intact.read_sample).front() == 0);
}

TEST_CASE("ring decode: an unusable read is an error; no counts, the cursor stays") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 4; ++i) ring.push({.payload = 8});
    ring.pop(1);
    const RingTick first = decode_ring(read_of(ring, 1000, {}), RingCursor{}, kSpec);
    for (int i = 0; i < 4; ++i) ring.push({.payload = 8});
    ring.pop(5);

    const std::pair<std::uint32_t, const char*> cases[] = {
        {RING_READ_CONTROL_FAILED, "RING_UNREADABLE"},
        {RING_READ_BAD_SIZE, "RING_BAD_SIZE"},
        {RING_READ_TRUNCATED, "RING_TRUNCATED"},
        {RING_READ_TAIL_AHEAD, "RING_TAIL_AHEAD"},
    };
    for (const auto& [status, error] : cases) {
        CAPTURE(status);
        RingRead read = read_of(ring, 2000, end_to_end(ring, first.after.tail, ring.head()));
        read.status = status;
        const RingTick tick = decode_ring(read, first.after, kSpec);
        CHECK(tick.error == error);
        CHECK(tick.written_frames == 0);
        CHECK(tick.written_bytes == 0);
        CHECK(tick.read_frames == 0);
        CHECK(tick.read_bytes == 0);
        CHECK(tick.depth_frames == 0);
        CHECK(tick.depth_bytes == 0);
        CHECK_FALSE(tick.hol_age_ns.has_value());
        CHECK(tick.written_sample.empty());
        CHECK(tick.read_sample.empty());
        CHECK(same_cursor(tick.after, first.after));
    }
    // Once readable again the deltas are measured from the old cursor: nothing lost.
    const RingTick ok = decode_ring(
        read_of(ring, 3000, end_to_end(ring, first.after.tail, ring.head())), first.after, kSpec);
    CHECK(ok.error.empty());
    CHECK(ok.written_frames == 4);
    CHECK(ok.read_frames == 5);
}

TEST_CASE("ring decode: counters that go backwards are an error, not a huge delta") {
    TestRing ring(1 << 16);
    for (int i = 0; i < 4; ++i) ring.push({});
    ring.pop(2);
    const RingRead read = read_of(ring, 5000, {});
    const RingTick base = decode_ring(read, RingCursor{}, kSpec);
    REQUIRE(base.error.empty());

    RingCursor before = base.after;
    before.read_ns = 4000;
    SUBCASE("msgs_written") { before.msgs_written += 1; }
    SUBCASE("bytes_written") { before.bytes_written += 1; }
    SUBCASE("msgs_read") { before.msgs_read += 1; }
    SUBCASE("bytes_read") { before.bytes_read += 1; }
    SUBCASE("head") { before.head += 8; }
    SUBCASE("tail") { before.tail += 8; }
    const RingTick tick = decode_ring(read, before, kSpec);
    CHECK(tick.error == "RING_COUNTERS_BACKWARDS");
    CHECK(tick.written_frames == 0);
    CHECK(tick.read_frames == 0);
    CHECK(tick.depth_frames == 0);
    CHECK(same_cursor(tick.after, before));
}

TEST_CASE("ring decode: more frames read than written is an error") {
    TestRing ring(1 << 16);
    ring.push({});
    RingRead read = read_of(ring, 5000, {});
    read.control.msgs_read = 2;
    const RingTick tick = decode_ring(read, RingCursor{}, kSpec);
    CHECK(tick.error == "RING_COUNTERS_BACKWARDS");
    CHECK(tick.depth_frames == 0);
    CHECK(same_cursor(tick.after, RingCursor{}));
}

TEST_CASE("ring decode: read and written samples by position; latency estimated in order") {
    TestRing ring(1 << 16);
    // Tick 1 at 1 ms: A and B written, A read.
    const std::uint64_t a = ring.push({.timestamp = 100});
    const std::uint64_t b = ring.push({.timestamp = 200});
    ring.pop(1);
    const RingTick first =
        decode_ring(read_of(ring, 1'000'000, end_to_end(ring, 0, ring.head())), {}, kSpec);
    CHECK(positions(first.written_sample) == std::vector<std::uint64_t>{a, b});
    CHECK(positions(first.read_sample) == std::vector<std::uint64_t>{a});

    // Tick 2 at 2 ms: C and D written, B and C read. Equal sizes: B is placed half
    // way through the interval (1.5 ms), C at its end (2 ms).
    const std::uint64_t c = ring.push({.timestamp = 1'500'000});
    const std::uint64_t d = ring.push({.timestamp = 1'600'000});
    ring.pop(2);
    const RingTick second =
        decode_ring(read_of(ring, 2'000'000, end_to_end(ring, first.after.tail, ring.head())),
                    first.after, kSpec);
    REQUIRE(second.error.empty());
    CHECK(positions(second.read_sample) == std::vector<std::uint64_t>{b, c});
    CHECK(positions(second.written_sample) == std::vector<std::uint64_t>{c, d});
    REQUIRE(second.read_sample.size() == 2);
    CHECK(second.read_sample[0].latency_ns == 1'500'000 - 200);
    CHECK(second.read_sample[1].latency_ns == 2'000'000 - 1'500'000);
    for (const auto& f : second.written_sample) CHECK(f.latency_ns == 0);
}

TEST_CASE("ring decode: latency estimates are never negative nor above read time - timestamp") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 10});
    const RingTick first = decode_ring(read_of(ring, 1'000'000, {}), RingCursor{}, kSpec);
    // B's estimated consumption (1.5 ms) is before it was sent (1.7 ms): 0, not negative.
    std::vector<std::uint64_t> sent = {1'700'000, 1'900'000};
    for (std::uint64_t ts : sent) ring.push({.timestamp = ts});
    ring.pop(3);
    const RingTick tick =
        decode_ring(read_of(ring, 2'000'000, end_to_end(ring, first.after.tail, ring.head())),
                    first.after, kSpec);
    REQUIRE(tick.read_sample.size() == 3);
    CHECK(tick.read_sample[0].latency_ns == 1'333'333 - 10);  // a third of the way
    CHECK(tick.read_sample[1].latency_ns == 0);
    CHECK(tick.read_sample[2].latency_ns == 2'000'000 - 1'900'000);

    // Many frames, irregular timestamps: every estimate within [0, read_ns - ts].
    TestRing busy(1 << 16);
    std::uint64_t ts = 1000;
    for (int i = 0; i < 60; ++i) busy.push({.timestamp = ts += (i * 7919) % 10'000});
    busy.pop(45);
    const RingTick many =
        decode_ring(read_of(busy, 900'000, end_to_end(busy, 0, busy.head())), RingCursor{}, kSpec);
    REQUIRE(many.read_sample.size() == 45);
    for (const auto& f : many.read_sample) {
        std::uint64_t stamp = 0;
        std::memcpy(&stamp, busy.at(f.position) + 16, sizeof stamp);
        CAPTURE(f.position);
        CHECK(f.latency_ns <= 900'000 - stamp);
    }
}

TEST_CASE("ring decode: the first read places consumption from the oldest sampled frame on") {
    TestRing ring(1 << 16);
    ring.push({.timestamp = 1000});
    ring.push({.timestamp = 3000});
    ring.pop(2);
    const RingTick tick =
        decode_ring(read_of(ring, 5000, end_to_end(ring, 0, ring.head())), RingCursor{}, kSpec);
    REQUIRE(tick.read_sample.size() == 2);
    // Interval [1000, 5000]: the first frame half way (3000), the second at 5000.
    CHECK(tick.read_sample[0].latency_ns == 2000);
    CHECK(tick.read_sample[1].latency_ns == 2000);
}

namespace {

// `ring`'s bytes in an unlinked temporary file, read back with read_ring_file.
RingRead read_file(const std::vector<std::uint8_t>& bytes, const RingCursor& before,
                   std::uint64_t now_ns) {
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size());
    REQUIRE(std::fflush(file) == 0);
    RingRead read = read_ring_file(fileno(file), before, now_ns);
    std::fclose(file);
    return read;
}

void check_same(const RingTick& a, const RingTick& b) {
    CHECK(a.error == b.error);
    CHECK(a.written_frames == b.written_frames);
    CHECK(a.written_bytes == b.written_bytes);
    CHECK(a.read_frames == b.read_frames);
    CHECK(a.read_bytes == b.read_bytes);
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
    TestRing ring(1 << 14);
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
    const RingTick memory_tick = decode_ring(
        read_of(ring, 2000, end_to_end(ring, first.after.tail, ring.head())), first.after, kSpec);
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
