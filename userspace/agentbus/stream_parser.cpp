#include "stream_parser.h"

#include <algorithm>
#include <cstring>

namespace agentbus {

uint8_t* StreamParser::space(size_t min, size_t* room) {
    size_t want = std::max(min, need_ > end_ - pos_ ? need_ - (end_ - pos_) : size_t{0});
    if (buf_.size() - end_ < want) {
        compact();
        if (buf_.size() - end_ < want) buf_.resize(end_ + want);
    }
    *room = buf_.size() - end_;
    return buf_.data() + end_;
}

void StreamParser::resync() {
    // Skip to the next byte that can begin the magic (4E 45 47 41); a candidate
    // too close to the end to compare is kept for the next read.
    ++resyncs_;
    const uint8_t* base = buf_.data();
    size_t p = pos_ + 1;
    while (p < end_) {
        const void* hit = std::memchr(base + p, 0x4E, end_ - p);
        if (!hit) {
            p = end_;
            break;
        }
        p = static_cast<const uint8_t*>(hit) - base;
        if (end_ - p < 4) break;
        uint32_t magic;
        std::memcpy(&magic, base + p, 4);
        if (magic == agen::kMagic) break;
        ++p;
    }
    skipped_ += p - pos_;
    pos_ = p;
}

void StreamParser::compact() {
    if (pos_ == end_) {
        pos_ = end_ = 0;
    } else if (pos_ > buf_.size() / 2) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    if (need_ && end_ - pos_ >= need_) need_ = 0;
}

}  // namespace agentbus
