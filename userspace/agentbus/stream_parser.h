// Reassembles AGEN frames from a byte stream (unix stream, TCP): frames may be
// batched or split anywhere. Bytes that do not start a valid header are
// skipped up to the next magic and counted.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "agen_frame.h"

namespace agentbus {

// A byte buffer that grows without zero-filling: a bus of 28 agents holds
// 2 x 756 stream connections, and zeroing their buffers up front would touch
// hundreds of MB before the first frame.
class RawBuffer {
  public:
    explicit RawBuffer(size_t n) : p_(new uint8_t[n]), n_(n) {}
    uint8_t* data() { return p_.get(); }
    const uint8_t* data() const { return p_.get(); }
    size_t size() const { return n_; }
    void resize(size_t n) {  // grows only; keeps the contents
        if (n <= n_) return;
        n = std::max(n, 2 * n_);
        std::unique_ptr<uint8_t[]> q(new uint8_t[n]);
        std::memcpy(q.get(), p_.get(), n_);
        p_ = std::move(q);
        n_ = n;
    }

  private:
    std::unique_ptr<uint8_t[]> p_;
    size_t n_;
};

class StreamParser {
  public:
    explicit StreamParser(size_t initial = size_t{256} * 1024) : buf_(initial) {}
    // Where to read the next bytes into (at least `min` bytes of room).
    uint8_t* space(size_t min, size_t* room);
    void commit(size_t n) { end_ += n; }
    // Calls f(const agen::AgenHeader&, const uint8_t* frame, size_t frame_bytes)
    // for every complete valid frame. Returns frames delivered.
    template <class F>
    size_t parse(F&& f) {
        size_t n = 0;
        for (;;) {
            size_t avail = end_ - pos_;
            if (avail < 4) break;
            uint32_t magic;
            std::memcpy(&magic, buf_.data() + pos_, 4);
            if (magic != agen::kMagic) {
                resync();
                continue;
            }
            if (avail < agen::kHeaderSize) break;
            agen::AgenHeader h;
            if (agen::decode_header(buf_.data() + pos_, avail, &h) != agen::HeaderError::kOk) {
                ++bad_headers_;
                ++skipped_;  // the first byte of the false header; resync counts the rest
                ++pos_;
                continue;
            }
            const size_t frame = agen::kHeaderSize + h.payload_len;
            if (avail < frame) {
                need_ = frame;
                break;
            }
            f(h, buf_.data() + pos_, frame);
            pos_ += frame;
            ++n;
        }
        compact();
        return n;
    }
    uint64_t skipped_bytes() const { return skipped_; }
    uint64_t resyncs() const { return resyncs_; }
    uint64_t bad_headers() const { return bad_headers_; }
    size_t buffered() const { return end_ - pos_; }

  private:
    void resync();
    void compact();
    RawBuffer buf_;
    size_t pos_ = 0, end_ = 0, need_ = 0;
    uint64_t skipped_ = 0, resyncs_ = 0, bad_headers_ = 0;
};

}  // namespace agentbus
