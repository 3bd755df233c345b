// The shared-memory ring control block (docs/transport.md "Ring layout"). One single-producer
// single-consumer ring per POSIX shm file /dev/shm/agent_ring_<ns>_<pid>_<n>.
//
// head and tail count bytes ever written / consumed, pad records included.
// Records are AGEN frames padded to 8 bytes; a record never wraps: when the
// next record does not fit before the end of the data area, the producer
// writes a pad record (a u32 magic of 0) and skips to the start.
// msgs_* and bytes_* count frames and their unpadded sizes (168 + payload_len);
// pads are not counted there.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace agen {

inline constexpr size_t kRingDataOffset = 4096;
inline constexpr uint32_t kRingPadMagic = 0;
inline constexpr uint32_t kRingAlign = 8;

struct RingControl {
    alignas(64) std::atomic<uint64_t> head;  // producer line
    alignas(64) std::atomic<uint64_t> tail;  // consumer line
    alignas(64) uint32_t size;               // data area size, a power of two
    uint32_t mask;                           // size - 1
    uint32_t producer_agent;
    uint32_t consumer_agent;
    alignas(64) std::atomic<uint64_t> msgs_written;  // producer counters
    std::atomic<uint64_t> bytes_written;
    alignas(64) std::atomic<uint64_t> msgs_read;  // consumer counters
    std::atomic<uint64_t> bytes_read;
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<uint64_t>) == 8);
static_assert(offsetof(RingControl, head) == 0);
static_assert(offsetof(RingControl, tail) == 64);
static_assert(offsetof(RingControl, size) == 128);
static_assert(offsetof(RingControl, mask) == 132);
static_assert(offsetof(RingControl, producer_agent) == 136);
static_assert(offsetof(RingControl, consumer_agent) == 140);
static_assert(offsetof(RingControl, msgs_written) == 192);
static_assert(offsetof(RingControl, bytes_written) == 200);
static_assert(offsetof(RingControl, msgs_read) == 256);
static_assert(offsetof(RingControl, bytes_read) == 264);
static_assert(sizeof(RingControl) <= kRingDataOffset);

inline constexpr uint64_t ring_record_size(uint64_t frame_bytes) {
    return (frame_bytes + kRingAlign - 1) & ~uint64_t{kRingAlign - 1};
}
inline uint8_t* ring_data(RingControl* c) {
    return reinterpret_cast<uint8_t*>(c) + kRingDataOffset;
}
inline const uint8_t* ring_data(const RingControl* c) {
    return reinterpret_cast<const uint8_t*>(c) + kRingDataOffset;
}

}  // namespace agen
