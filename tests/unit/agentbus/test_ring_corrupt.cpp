// A corrupt ring (the producer is another process) is refused or counted as
// corrupt by the consumer, never walked past its data area or for ever. The
// mask case came from an input of the fuzz target tests/fuzz/fuzz_agen_ring.cpp,
// the others from reading the consumer alongside.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "agen_frame.h"
#include "ring.h"

using namespace agentbus;

namespace {

// A ring in a heap block exactly as long as its control block and data area, so
// that a sanitizer build reports any read past the end.
struct ExactRing {
    explicit ExactRing(uint32_t size) : mem(agen::kRingDataOffset + size) {
        ctl = ring_init(mem.data(), size, 1, 2);
    }
    std::vector<uint8_t> mem;
    agen::RingControl* ctl;
};

}  // namespace

TEST_CASE("corrupt ring: a head more than a lap ahead is counted, not walked to") {
    ExactRing r(4096);
    r.ctl->head.store(uint64_t{1} << 62);
    RingConsumer c(r.ctl);
    size_t frames = 0;
    CHECK(c.drain([&](const uint8_t*, size_t) { ++frames; }, 64) == 0);
    CHECK(frames == 0);
    CHECK(c.corrupt() == 1);
    CHECK(c.empty());
}

TEST_CASE("corrupt ring: a header that would run past the data area is counted") {
    ExactRing r(4096);
    // The consumer left off 16 bytes before the end, where a producer would
    // have written a pad; a non-zero magic there cannot start a whole header.
    r.ctl->tail.store(4096 - 16);
    r.ctl->head.store(4096 + 200);
    std::memset(agen::ring_data(r.ctl) + 4096 - 16, 0x4E, 16);
    RingConsumer c(r.ctl);
    CHECK(c.drain([](const uint8_t*, size_t) {}, 64) == 0);
    CHECK(c.corrupt() == 1);

    // Unaligned, 3 bytes before the end: not even a pad's magic fits.
    ExactRing u(4096);
    u.ctl->tail.store(4096 - 3);
    u.ctl->head.store(4096 + 8);
    RingConsumer cu(u.ctl);
    CHECK(cu.drain([](const uint8_t*, size_t) {}, 64) == 0);
    CHECK(cu.corrupt() == 1);
}

TEST_CASE("corrupt ring: map_ring_file refuses a size or mask the consumer cannot use") {
    const std::string name = "agentmon_test_ring_" + std::to_string(getpid());
    auto write_ring = [&](uint32_t size, uint32_t mask) {
        std::vector<uint8_t> file(agen::kRingDataOffset + 4096);
        auto* c = ring_init(file.data(), 4096, 1, 2);
        c->size = size;
        c->mask = mask;
        const std::string path = "/dev/shm/" + name;
        const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size()));
        close(fd);
    };
    write_ring(4096, 4095);
    agen::RingControl* ok = map_ring_file(name);
    CHECK(ok != nullptr);
    unmap_ring(ok);
    write_ring(4096, 5887);  // the fuzzer's input: positions past the data area
    CHECK(map_ring_file(name) == nullptr);
    write_ring(4096, 8191);  // tail 6000 was read at offset 10096 of an 8192-byte file
    CHECK(map_ring_file(name) == nullptr);
    unlink(("/dev/shm/" + name).c_str());
}
