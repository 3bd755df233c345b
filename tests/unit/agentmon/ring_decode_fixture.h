#pragma once
// A ring laid out in memory as the producer writes it, and reads of it, for the
// ring decode and ring file read tests.
//
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
inline void put(std::uint8_t* p, T value) {
    std::memcpy(p, &value, sizeof value);
}

template <class T>
inline T get(const std::uint8_t* p) {
    T value;
    std::memcpy(&value, p, sizeof value);
    return value;
}

// A tick's exact counts: frames and bytes written, frames and bytes read.
struct Counts {
    std::uint64_t written_frames, written_bytes, read_frames, read_bytes;
};

inline void check_counts(const RingTick& tick, const Counts& want) {
    CHECK(tick.written_frames == want.written_frames);
    CHECK(tick.written_bytes == want.written_bytes);
    CHECK(tick.read_frames == want.read_frames);
    CHECK(tick.read_bytes == want.read_bytes);
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
inline RingRead read_of(const TestRing& ring, std::uint64_t read_ns, const Windows& windows) {
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
inline Windows end_to_end(const TestRing& ring, std::uint64_t from, std::uint64_t to) {
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

inline std::vector<std::uint64_t> positions(const std::vector<SampledFrame>& frames) {
    std::vector<std::uint64_t> out;
    for (const auto& f : frames) out.push_back(f.position);
    return out;
}

inline bool same_cursor(const RingCursor& a, const RingCursor& b) {
    return a.head == b.head && a.tail == b.tail && a.msgs_written == b.msgs_written &&
           a.bytes_written == b.bytes_written && a.msgs_read == b.msgs_read &&
           a.bytes_read == b.bytes_read && a.read_ns == b.read_ns;
}

const FrameSpec kSpec = agen_preset();

}  // namespace
