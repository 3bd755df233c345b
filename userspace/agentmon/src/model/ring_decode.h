#pragma once
// Turns one tick's copy of one ring (control block, oldest unconsumed header and
// sample windows, as bpf/ring_reader.bpf.c copied them) into what the tick
// learned: exact frames and bytes written and read since the previous tick, the
// queue's depth and head-of-line age, and the sampled frames with their labels.
// Pure: unit tests feed hand-built rings. The records are parsed with the config's
// frame spec; only the ring layout itself (docs/transport.md "Ring layout") is fixed.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "abi/ring_reader.h"
#include "model/frame_spec.h"

namespace agentmon {

struct RingControlBlock {
    std::uint64_t head = 0, tail = 0;  // bytes ever written / consumed, pads included
    std::uint32_t size = 0, mask = 0;
    std::uint32_t producer = 0, consumer = 0;  // agent ids at the two ends
    std::uint64_t msgs_written = 0, bytes_written = 0, msgs_read = 0, bytes_read = 0;
};

RingControlBlock parse_control_block(const std::uint8_t* bytes);  // RING_CONTROL_BYTES

struct RingWindow {
    std::uint64_t position = 0;  // ring position of data[0]
    std::vector<std::uint8_t> data;
};

// One tick's copy of one ring.
struct RingRead {
    std::uint32_t status = RING_READ_OK;  // enum ring_read_status
    std::uint64_t read_ns = 0;            // CLOCK_MONOTONIC when the control block was read
    std::uint64_t head_after = 0;         // head once the windows were copied
    RingControlBlock control;
    std::optional<std::uint64_t> hol_position;  // set when hol holds a header
    std::vector<std::uint8_t> hol;
    std::vector<RingWindow> windows;
    std::uint32_t window_errors = 0;
    // The read after every process of the ring has exited (read_ring_file):
    // consumption stopped before read_ns, so read_ns is no bound for latency.
    bool final_read = false;
};

// What the previous tick saw of the ring; all zero before the first read, so the
// first tick counts everything since the ring was created.
struct RingCursor {
    std::uint64_t head = 0, tail = 0;
    std::uint64_t msgs_written = 0, bytes_written = 0, msgs_read = 0, bytes_read = 0;
    std::uint64_t read_ns = 0;  // 0: never read
};

// What a sampled frame is to request/reply matching: untracked when the frame
// spec has no sequence or no reply flag.
enum : std::uint8_t { FRAME_UNTRACKED = 0, FRAME_REQUEST = 1, FRAME_REPLY = 2 };

struct SampledFrame {
    std::uint32_t source = 0, target = 0, msg_type = 0, priority = 0;
    std::uint64_t bytes = 0;       // header and payload
    std::uint64_t position = 0;    // ring position
    std::uint64_t latency_ns = 0;  // read sample only: estimated, see docs/ring-path.md
    std::uint64_t sent_ns = 0;     // the header's timestamp
    std::uint64_t sequence = 0;    // 0 when the frame spec has no sequence
    std::uint8_t role = FRAME_UNTRACKED;
    // The header named another source than the ring's producer: `source` is the
    // producer's id, not the claimed one (SPOOFED_SOURCE).
    bool spoofed = false;
};

struct RingTick {
    // Empty, or why the ring could not be used this tick (an error_type:
    // RING_UNREADABLE, RING_BAD_SIZE, RING_TRUNCATED, RING_TAIL_AHEAD,
    // RING_COUNTERS_BACKWARDS). Counts and depth are then not updated.
    std::string error;
    std::uint64_t written_frames = 0, written_bytes = 0, read_frames = 0, read_bytes = 0;
    std::uint64_t depth_frames = 0, depth_bytes = 0;
    std::optional<std::uint64_t> hol_age_ns;  // set when a frame waits
    std::vector<SampledFrame> written_sample, read_sample;
    std::uint64_t bad_records = 0;   // records with a bad magic or impossible length
    std::uint64_t torn_windows = 0;  // windows the producer may have overwritten mid-copy
    RingCursor after;                // the cursor for the next tick
    // False on a ring's first read: with no earlier read there is no interval to
    // place its frames' consumption in, so their latency estimates are guesses
    // (up to the ring's whole history) and stay out of the latency histogram.
    bool latency_estimated = true;
    // What bounds the consumption of the frames read this tick: after the previous
    // read (0: none) and by this one (CLOCK_MONOTONIC ns).
    std::uint64_t consumed_after_ns = 0, consumed_by_ns = 0;
};

RingTick decode_ring(const RingRead& read, const RingCursor& before, const FrameSpec& spec);

}  // namespace agentmon
