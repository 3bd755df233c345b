// Fuzz target: agentbus's consumer side of a shared-memory ring
// (userspace/agentbus/ring.*): the ring file mapped as map_ring_file maps it,
// drained by RingConsumer until it reports nothing more, each record checked
// with decode_header as the agents do.
//
// Input: the ring file's bytes (a 4096-byte control block, then the data area).
// The producer is another process, so every byte is untrusted: a corrupt ring
// must be refused or counted as corrupt, never read past its mapping.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agen_frame.h"
#include "fuzz_check.h"
#include "ring.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string name = "agentmon_fuzz_ring_" + std::to_string(getpid());
    const std::string path = "/dev/shm/" + name;
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) std::abort();
    const bool written = size == 0 || write(fd, data, size) == static_cast<ssize_t>(size);
    close(fd);
    if (!written) std::abort();

    agen::RingControl* ring = agentbus::map_ring_file(name);
    unlink(path.c_str());
    if (!ring) return 0;
    FUZZ_CHECK(agen::kRingDataOffset + std::size_t{ring->size} == size);
    agentbus::RingConsumer consumer(ring);
    std::uint64_t frames = 0, bytes = 0;
    // At most one lap's records fit in the ring, so a drain that never ends is a bug.
    for (int round = 0; round < 1 << 16; ++round) {
        const std::size_t n = consumer.drain(
            [&](const std::uint8_t* frame, std::size_t len) {
                agen::AgenHeader h;
                FUZZ_CHECK(len >= agen::kHeaderSize && len <= ring->size);
                if (agen::decode_header(frame, len, &h) == agen::HeaderError::kOk)
                    FUZZ_CHECK(agen::frame_size(h) == len);
                ++frames;
                bytes += len;
            },
            64);
        if (n == 0) break;
        FUZZ_CHECK(round + 1 < 1 << 16);
    }
    FUZZ_CHECK(bytes <= std::uint64_t{ring->size});
    agentbus::unmap_ring(ring);
    return 0;
}
