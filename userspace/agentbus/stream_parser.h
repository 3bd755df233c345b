// Reassembles AGEN frames from a byte stream (unix stream, TCP): frames may be
// batched or split anywhere. Bytes that do not start a valid header are
// skipped up to the next magic and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "agen_frame.h"

namespace agentbus {

class StreamParser {
  public:
    explicit StreamParser(size_t initial = 256 * 1024) : buf_(initial) {}
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
    std::vector<uint8_t> buf_;
    size_t pos_ = 0, end_ = 0, need_ = 0;
    uint64_t skipped_ = 0, resyncs_ = 0, bad_headers_ = 0;
};

}  // namespace agentbus
