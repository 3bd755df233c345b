// Fuzz target: the byte image of a shared-memory ring file (docs/transport.md
// "Ring layout": a 4096-byte control block, then the data area), read as the
// ring path's final read does (kernel/ring_file_read.cpp) and decoded with the
// AGEN frame spec (model/ring_decode.cpp).
//
// A ring file is written by the agents, so every byte of it is untrusted. The
// image is decoded twice, the second time with the cursor the first tick left:
// nothing changed in between, so that tick must count nothing new and report
// the same verdict (counters never go backwards, nothing is counted twice).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_check.h"
#include "kernel/ring_file_read.h"
#include "model/frame_spec.h"
#include "model/ring_decode.h"

using namespace agentmon;

namespace {

constexpr std::uint64_t kNow = 5'000'000'000;

int ring_fd() {
    static const int fd = memfd_create("fuzz_ring_file", MFD_CLOEXEC);
    return fd;
}

void check_tick(const RingRead& read, const RingTick& tick) {
    if (!tick.error.empty()) return;
    const RingControlBlock& c = read.control;
    FUZZ_CHECK(tick.depth_frames == c.msgs_written - c.msgs_read);
    for (const auto& f : tick.written_sample) FUZZ_CHECK(f.position < c.head);
    for (const auto& f : tick.read_sample) FUZZ_CHECK(f.position < c.tail);
    FUZZ_CHECK(tick.after.read_ns == kNow);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = ring_fd();
    if (fd < 0 || ftruncate(fd, 0) != 0) std::abort();
    if (size && pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();

    static const FrameSpec spec = agen_preset();
    const RingRead first_read = read_ring_file(fd, RingCursor{}, kNow);
    const RingTick first = decode_ring(first_read, RingCursor{}, spec);
    check_tick(first_read, first);

    const RingRead again_read = read_ring_file(fd, first.after, kNow);
    const RingTick again = decode_ring(again_read, first.after, spec);
    check_tick(again_read, again);
    FUZZ_CHECK(again.error == first.error);
    FUZZ_CHECK(again.written_frames == 0 && again.written_bytes == 0);
    FUZZ_CHECK(again.read_frames == 0 && again.read_bytes == 0);
    FUZZ_CHECK(again.written_sample.empty() && again.read_sample.empty());
    return 0;
}
