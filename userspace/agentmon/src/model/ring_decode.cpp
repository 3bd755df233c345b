#include "model/ring_decode.h"

#include <algorithm>
#include <cstring>

namespace agentmon {

namespace {

template <class T>
T load(const std::uint8_t* p) {
    T value;
    std::memcpy(&value, p, sizeof value);
    return value;
}

std::uint64_t field(const std::uint8_t* p, std::size_t avail, const FieldSpec& f) {
    if (f.width == 0 || f.offset + f.width > avail) return 0;
    std::uint64_t value = 0;
    for (std::uint8_t i = 0; i < f.width; ++i) {
        const std::uint8_t byte = p[f.offset + (f.big_endian ? i : f.width - 1 - i)];
        value = value << 8 | byte;
    }
    return value;
}

bool magic_matches(const std::uint8_t* p, const FrameSpec& spec) {
    const FieldSpec magic{0, spec.magic_width, spec.magic_big_endian};
    return field(p, spec.magic_width, magic) == spec.magic;
}

constexpr std::uint64_t align8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }

// A header at p (avail bytes readable): its frame size, or nothing when it is not a
// plausible header of this spec in a ring of `ring_size`.
std::optional<std::uint64_t> frame_size(const std::uint8_t* p, std::size_t avail,
                                        const FrameSpec& spec, std::uint32_t ring_size) {
    if (avail < spec.magic_width || !magic_matches(p, spec)) return std::nullopt;
    const std::uint64_t payload = field(p, avail, spec.payload_len);
    const std::uint64_t targets = field(p, avail, spec.target_count);
    if (payload > spec.max_payload || (spec.target_count.width && targets > spec.max_targets))
        return std::nullopt;
    const std::uint64_t bytes = spec.header_size + payload + targets * spec.target_stride;
    if (align8(bytes) > ring_size) return std::nullopt;
    return bytes;
}

SampledFrame sample_of(const std::uint8_t* p, std::size_t avail, const FrameSpec& spec,
                       std::uint64_t bytes, std::uint64_t position) {
    SampledFrame f;
    f.source = static_cast<std::uint32_t>(field(p, avail, spec.source));
    f.target = static_cast<std::uint32_t>(field(p, avail, spec.target));
    f.msg_type = static_cast<std::uint32_t>(field(p, avail, spec.msg_type));
    f.priority = static_cast<std::uint32_t>(field(p, avail, spec.priority));
    f.bytes = bytes;
    f.position = position;
    f.sent_ns = field(p, avail, spec.timestamp) * spec.timestamp_unit_ns;
    if (spec.sequence.width != 0 && spec.flags.width != 0 && spec.reply_mask != 0) {
        f.sequence = field(p, avail, spec.sequence);
        f.role = (field(p, avail, spec.flags) & spec.reply_mask) != 0 ? FRAME_REPLY : FRAME_REQUEST;
    }
    return f;
}

// Walks the sample windows in position order. A window that starts where the last
// known record boundary lies (last tick's tail, or the end of the record the
// previous window ended in) is walked from there; any other is resynchronised: the
// first 8-byte-aligned offset holding a plausible header whose successor is also
// plausible (or lies past the window) is taken as a boundary.
class SampleWalker {
  public:
    SampleWalker(const FrameSpec& spec, const RingControlBlock& c, std::uint64_t boundary)
        : spec_(spec), size_(c.size), head_(c.head), boundary_(boundary) {}

    void walk(const RingWindow& w, std::vector<SampledFrame>& out, std::uint64_t& bad) {
        const std::uint8_t* data = w.data.data();
        const std::size_t len = w.data.size();
        std::size_t off;
        if (boundary_ >= w.position && boundary_ < w.position + len) {
            off = boundary_ - w.position;
        } else {
            auto found = resync(data, len, 0);
            if (!found) return;
            off = *found;
        }
        while (off + 4 <= len) {
            const std::uint64_t position = w.position + off;
            if (position >= head_) break;
            if (load<std::uint32_t>(data + off) == RING_PAD_MAGIC) {
                // The rest of the data area is padding: the next record is at the start.
                boundary_ = position + (size_ - (position & (size_ - 1)));
                return;
            }
            auto bytes = frame_size(data + off, len - off, spec_, size_);
            if (!bytes) {
                ++bad;
                auto found = resync(data, len, off + 8);
                if (!found) return;
                off = *found;
                continue;
            }
            if (off + spec_.header_size > len) break;  // header cut by the window's end
            out.push_back(sample_of(data + off, len - off, spec_, *bytes, position));
            off += align8(*bytes);
        }
        boundary_ = w.position + off;
    }

  private:
    std::optional<std::size_t> resync(const std::uint8_t* data, std::size_t len,
                                      std::size_t from) const {
        for (std::size_t off = align8(from); off + spec_.header_size <= len; off += 8) {
            auto bytes = frame_size(data + off, len - off, spec_, size_);
            if (!bytes) continue;
            const std::size_t next = off + align8(*bytes);
            if (next + 4 > len) return off;  // its successor lies past the window
            if (load<std::uint32_t>(data + next) == RING_PAD_MAGIC ||
                frame_size(data + next, len - next, spec_, size_))
                return off;
        }
        return std::nullopt;
    }

    const FrameSpec& spec_;
    std::uint32_t size_;
    std::uint64_t head_;
    std::uint64_t boundary_;
};

std::string control_error(const RingRead& read, const RingCursor& before) {
    switch (read.status) {
        case RING_READ_OK:
            break;
        case RING_READ_BAD_SIZE:
            return "RING_BAD_SIZE";
        case RING_READ_TRUNCATED:
            return "RING_TRUNCATED";
        case RING_READ_TAIL_AHEAD:
            return "RING_TAIL_AHEAD";
        default:
            return "RING_UNREADABLE";
    }
    const RingControlBlock& c = read.control;
    if (c.msgs_written < before.msgs_written || c.msgs_read < before.msgs_read ||
        c.bytes_written < before.bytes_written || c.bytes_read < before.bytes_read ||
        c.head < before.head || c.tail < before.tail || c.msgs_read > c.msgs_written)
        return "RING_COUNTERS_BACKWARDS";
    return "";
}

}  // namespace

RingControlBlock parse_control_block(const std::uint8_t* b) {
    RingControlBlock c;
    c.head = load<std::uint64_t>(b + 0);
    c.tail = load<std::uint64_t>(b + 64);
    c.size = load<std::uint32_t>(b + 128);
    c.mask = load<std::uint32_t>(b + 132);
    c.producer = load<std::uint32_t>(b + 136);
    c.consumer = load<std::uint32_t>(b + 140);
    c.msgs_written = load<std::uint64_t>(b + 192);
    c.bytes_written = load<std::uint64_t>(b + 200);
    c.msgs_read = load<std::uint64_t>(b + 256);
    c.bytes_read = load<std::uint64_t>(b + 264);
    return c;
}

RingTick decode_ring(const RingRead& read, const RingCursor& before, const FrameSpec& spec) {
    RingTick tick;
    tick.after = before;
    tick.error = control_error(read, before);
    if (!tick.error.empty()) return tick;
    const RingControlBlock& c = read.control;
    tick.written_frames = c.msgs_written - before.msgs_written;
    tick.written_bytes = c.bytes_written - before.bytes_written;
    tick.read_frames = c.msgs_read - before.msgs_read;
    tick.read_bytes = c.bytes_read - before.bytes_read;
    tick.depth_frames = c.msgs_written - c.msgs_read;
    tick.depth_bytes = c.bytes_written >= c.bytes_read ? c.bytes_written - c.bytes_read : 0;
    tick.after = {c.head,      c.tail,       c.msgs_written, c.bytes_written,
                  c.msgs_read, c.bytes_read, read.read_ns};

    if (read.hol_position) {
        auto bytes = frame_size(read.hol.data(), read.hol.size(), spec, c.size);
        if (!bytes) {
            ++tick.bad_records;
        } else {
            const SampledFrame hol =
                sample_of(read.hol.data(), read.hol.size(), spec, *bytes, *read.hol_position);
            tick.hol_age_ns = read.read_ns > hol.sent_ns ? read.read_ns - hol.sent_ns : 0;
        }
    }

    std::vector<RingWindow const*> windows;
    for (const auto& w : read.windows) {
        // Bytes at p are safe from the producer until head passes p + size.
        if (read.head_after > w.position + c.size) {
            ++tick.torn_windows;
            continue;
        }
        windows.push_back(&w);
    }
    std::sort(windows.begin(), windows.end(),
              [](const RingWindow* a, const RingWindow* b) { return a->position < b->position; });
    // Windows laid end to end are one stretch of the ring: joined, a record whose
    // header a window's end cuts is walked whole instead of lost to a resync. A
    // window starting a lap stays apart (no record crosses into it; a pad leads there).
    std::vector<RingWindow> stretches;
    for (const RingWindow* w : windows) {
        if (!stretches.empty() && (w->position & (c.size - 1)) != 0 &&
            stretches.back().position + stretches.back().data.size() == w->position)
            stretches.back().data.insert(stretches.back().data.end(), w->data.begin(),
                                         w->data.end());
        else
            stretches.push_back(*w);
    }
    std::vector<SampledFrame> frames;
    SampleWalker walker(spec, c, before.tail);
    for (const RingWindow& w : stretches) walker.walk(w, frames, tick.bad_records);
    // Only the ring's producer writes into it: a frame claiming another source is
    // counted as the producer's (and as SPOOFED_SOURCE), never as the claimed agent's.
    for (auto& f : frames) {
        if (c.producer != 0 && f.source != c.producer) {
            f.spoofed = true;
            f.source = c.producer;
        }
    }

    // A frame read since the last tick was consumed somewhere in (t_before, t_now];
    // the tail's progress says roughly when: frames are consumed in order, so a frame
    // a fraction f of the way from the old tail to the new one is placed at f of the
    // interval. Never before it was sent.
    std::uint64_t t_now = read.read_ns;
    if (read.final_read) {
        // The ring's processes are gone, possibly most of a tick before this read:
        // placing its last frames up to now would add that wait to their latency.
        // Its consumer stopped no earlier than the newest frame it read was sent,
        // so that is where the interval ends (an underestimate by the last frames'
        // own latency, not an overestimate by up to a tick).
        std::uint64_t newest_sent = 0;
        for (const auto& f : frames)
            if (f.position >= before.tail && f.position < c.tail)
                newest_sent = std::max(newest_sent, f.sent_ns);
        if (newest_sent > before.read_ns && newest_sent < t_now) t_now = newest_sent;
    }
    std::uint64_t t_before = before.read_ns;
    tick.consumed_after_ns = before.read_ns;
    tick.consumed_by_ns = read.read_ns;
    tick.latency_estimated = t_before != 0 && t_before <= t_now;
    if (t_before == 0 || t_before > t_now) {
        t_before = t_now;
        for (const auto& f : frames) t_before = std::min(t_before, f.sent_ns);
    }
    for (auto& f : frames) {
        const std::uint64_t sent_ns = f.sent_ns;
        const bool was_read = f.position >= before.tail && f.position < c.tail;
        const bool was_written = f.position >= before.head && f.position < c.head;
        if (was_written) {
            SampledFrame w = f;
            w.latency_ns = 0;
            tick.written_sample.push_back(w);
        }
        if (!was_read) continue;
        // At most 1: a record cannot end past the tail that consumed it, but its
        // length is the agent's to claim, and a fraction above 1 could carry the
        // product below past what a u64 holds.
        const double fraction = std::min(
            1.0, double(f.position - before.tail + align8(f.bytes)) / double(c.tail - before.tail));
        const auto consumed_ns =
            t_before + static_cast<std::uint64_t>(fraction * double(t_now - t_before));
        f.latency_ns = consumed_ns > sent_ns ? consumed_ns - sent_ns : 0;
        tick.read_sample.push_back(f);
    }
    return tick;
}

}  // namespace agentmon
