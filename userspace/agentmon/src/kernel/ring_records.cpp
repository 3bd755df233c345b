#include "kernel/ring_records.h"

#include <cstddef>
#include <cstring>
#include <iterator>

namespace agentmon {

static_assert(sizeof(ring_control_read) == 56 + RING_CONTROL_BYTES + RING_HOL_BYTES,
              "ring_control_read layout shared");
static_assert(sizeof(ring_window_read) == 24 + RING_WINDOW_BYTES, "ring_window_read layout");

void collect_ring_record(const void* data, std::size_t size,
                         const std::map<std::uint32_t, std::uint32_t>& generation_of,
                         std::map<std::uint32_t, RingRead>& reads) {
    if (size < sizeof(std::uint32_t) * 2) return;
    std::uint32_t kind = 0, slot = 0;
    std::memcpy(&kind, data, sizeof kind);
    std::memcpy(&slot, static_cast<const char*>(data) + 4, sizeof slot);
    auto asked = generation_of.find(slot);
    if (asked == generation_of.end()) return;
    if (kind == RING_RECORD_CONTROL && size >= sizeof(ring_control_read)) {
        // Copied out: the ring buffer's records are only 8-byte aligned.
        ring_control_read r;
        std::memcpy(&r, data, sizeof r);
        if (r.generation != asked->second) return;
        RingRead& out = reads[slot];
        out.status = r.status;
        out.read_ns = r.read_ns;
        out.head_after = r.head_after;
        out.control = parse_control_block(r.control);
        out.window_errors = r.window_errors;
        if (r.hol_valid) {
            out.hol_position = r.hol_position;
            out.hol.assign(r.hol, r.hol + RING_HOL_BYTES);
        }
    } else if (kind == RING_RECORD_WINDOW && size >= sizeof(ring_window_read)) {
        // Field by field at their offsets: the header is small, the data up to 4 KiB.
        const auto* bytes = static_cast<const std::uint8_t*>(data);
        std::uint32_t len = 0, generation = 0;
        std::uint64_t position = 0;
        std::memcpy(&len, bytes + offsetof(ring_window_read, len), sizeof len);
        std::memcpy(&generation, bytes + offsetof(ring_window_read, generation), sizeof generation);
        std::memcpy(&position, bytes + offsetof(ring_window_read, position), sizeof position);
        if (generation != asked->second || len > RING_WINDOW_BYTES) return;
        RingWindow window;
        window.position = position;
        const std::uint8_t* first = bytes + offsetof(ring_window_read, data);
        window.data.assign(first, first + len);
        reads[slot].windows.push_back(std::move(window));
    }
}

void drop_unplaced_reads(std::map<std::uint32_t, RingRead>& reads) {
    for (auto it = reads.begin(); it != reads.end();)
        it = it->second.read_ns == 0 && it->second.status == RING_READ_OK ? reads.erase(it)
                                                                          : std::next(it);
}

}  // namespace agentmon
