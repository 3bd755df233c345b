#pragma once
// The last read of a ring whose processes have all exited, through the file
// descriptor the tracker holds (the memory is gone from every process, so the
// iterator cannot reach it). Reads the control block and every record still
// intact since the previous tick, so the final counts and their breakdown are
// complete.
#include "model/ring_decode.h"

namespace agentmon {

// `now_ns` stands for the time of the read (CLOCK_MONOTONIC).
RingRead read_ring_file(int fd, const RingCursor& before, std::uint64_t now_ns);

}  // namespace agentmon
