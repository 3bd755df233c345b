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

// A tick's read of a live ring through its file, for kernels without the
// sleepable task iterator: the same copy bpf/ring_reader.bpf.c makes (control
// block, the oldest unconsumed header, `windows` sample windows planned the same
// way from `sample_from`, the head once more after them), so decode_ring treats
// both alike. The file is the ring's shared memory: what pread returns is what
// the agents see. read_ns is when the control block was read.
RingRead read_ring_live(int fd, std::uint64_t sample_from, std::uint32_t windows);

}  // namespace agentmon
