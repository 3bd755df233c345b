#pragma once
// User space's parse of the ring reader's records (bpf/abi/ring_reader.h): the
// ring buffer delivers, per ring read this tick, one ring_control_read and then
// its ring_window_reads. Each record is checked against its declared size and
// the generation asked for its slot before anything is copied out of it, since
// a stale or short record must never be read past its end. Pure, so the fuzz
// target (tests/fuzz) feeds it arbitrary records.
#include <cstddef>
#include <cstdint>
#include <map>

#include "model/ring_decode.h"

namespace agentmon {

// Adds one record of `size` bytes to the read of its slot in `reads`. Records of
// slots not in `generation_of` (slot -> generation asked), of another
// generation, of an unknown kind or too short are ignored.
void collect_ring_record(const void* data, std::size_t size,
                         const std::map<std::uint32_t, std::uint32_t>& generation_of,
                         std::map<std::uint32_t, RingRead>& reads);

// Drops the reads that got windows but no control record (its reserve failed):
// without the control block the windows cannot be placed.
void drop_unplaced_reads(std::map<std::uint32_t, RingRead>& reads);

}  // namespace agentmon
