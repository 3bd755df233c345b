// SPSC ring on heap memory: push/pop, wrap with pad records, full ring,
// counters and batch publication.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "agen_frame.h"
#include "ring.h"

using namespace agentbus;

namespace {
struct HeapRing {
    explicit HeapRing(uint32_t size)
        : mem(static_cast<uint8_t*>(std::aligned_alloc(4096, (4096 + size + 4095) / 4096 * 4096))) {
        ctl = ring_init(mem.get(), size, 1, 2);
    }
    struct Free {
        void operator()(uint8_t* p) const { std::free(p); }
    };
    std::unique_ptr<uint8_t, Free> mem;
    agen::RingControl* ctl;
};

std::vector<uint8_t> frame(uint64_t seq, uint32_t plen) {
    agen::AgenHeader h{};
    h.msg_type = 4;
    h.sequence = seq;
    h.source_agent = 1;
    h.payload_len = plen;
    std::vector<uint8_t> payload(plen, uint8_t(seq));
    std::vector<uint8_t> out;
    agen::encode_frame(h, payload.data(), out);
    return out;
}
}  // namespace

TEST_CASE("ring header fields are set") {
    HeapRing r(4096);
    CHECK(r.ctl->size == 4096);
    CHECK(r.ctl->mask == 4095);
    CHECK(r.ctl->producer_agent == 1);
    CHECK(r.ctl->consumer_agent == 2);
    CHECK(r.ctl->head.load() == 0);
}

TEST_CASE("frames pushed are popped in order, intact, after publication") {
    HeapRing r(4096);
    RingProducer p(r.ctl);
    RingConsumer c(r.ctl);
    for (int i = 0; i < 3; ++i) {
        auto f = frame(i, 13);
        REQUIRE(p.push(f.data(), f.size()));
    }
    size_t seen = 0;
    CHECK(c.drain([&](const uint8_t*, size_t) { ++seen; }, 100) == 0);  // not yet published
    p.publish();
    CHECK(r.ctl->head.load() == 3 * agen::ring_record_size(168 + 13));
    CHECK(r.ctl->msgs_written.load() == 3);
    CHECK(r.ctl->bytes_written.load() == 3 * (168 + 13));
    uint64_t next = 0;
    CHECK(c.drain(
              [&](const uint8_t* p, size_t len) {
                  agen::AgenHeader h;
                  REQUIRE(agen::decode_header(p, len, &h) == agen::HeaderError::kOk);
                  CHECK(h.sequence == next++);
                  CHECK(len == 168 + 13);
              },
              100) == 3);
    CHECK(r.ctl->tail.load() == r.ctl->head.load());
    CHECK(r.ctl->msgs_read.load() == 3);
    CHECK(r.ctl->bytes_read.load() == 3 * (168 + 13));
}

TEST_CASE("a record never wraps: a pad record fills the end") {
    HeapRing r(1024);
    RingProducer p(r.ctl);
    RingConsumer c(r.ctl);
    auto f = frame(0, 132);  // 300 bytes -> 304-byte records
    uint64_t pushed = 0, popped = 0;
    for (int round = 0; round < 50; ++round) {
        while (p.push(f.data(), f.size())) ++pushed;
        p.publish();
        popped += c.drain(
            [&](const uint8_t* rec, size_t len) {
                CHECK(len == 300);
                uint32_t magic;
                std::memcpy(&magic, rec, 4);
                CHECK(magic == agen::kMagic);
                CHECK(rec + len <= agen::ring_data(r.ctl) + 1024);  // inside the data area
            },
            1000);
    }
    CHECK(pushed == popped);
    CHECK(pushed > 100);
    // Three 304-byte records fit in 1024 bytes; the 112 left over are a pad.
    CHECK(r.ctl->head.load() > pushed * 304);
    CHECK(r.ctl->msgs_written.load() == pushed);
    CHECK(r.ctl->bytes_written.load() == pushed * 300);
    CHECK(r.ctl->msgs_read.load() == popped);
}

TEST_CASE("a full ring refuses until the consumer frees space") {
    HeapRing r(1024);
    RingProducer p(r.ctl);
    RingConsumer c(r.ctl);
    auto f = frame(0, 0);  // 168-byte records
    int n = 0;
    while (p.push(f.data(), f.size())) ++n;
    CHECK(n == 6);  // 6 * 168 = 1008 <= 1024
    p.publish();
    CHECK(c.drain([](const uint8_t*, size_t) {}, 1) == 1);
    CHECK(p.push(f.data(), f.size()));  // room again (after a pad at the end)
}

TEST_CASE("the pad record carries magic 0") {
    HeapRing r(1024);
    RingProducer p(r.ctl);
    RingConsumer c(r.ctl);
    auto f = frame(0, 132);  // 304-byte records: 3 fit, 112 bytes left
    for (int i = 0; i < 3; ++i) REQUIRE(p.push(f.data(), f.size()));
    p.publish();
    c.drain([](const uint8_t*, size_t) {}, 10);
    REQUIRE(p.push(f.data(), f.size()));
    uint32_t magic;
    std::memcpy(&magic, agen::ring_data(r.ctl) + 912, 4);
    CHECK(magic == agen::kRingPadMagic);
    p.publish();
    CHECK(r.ctl->head.load() == 1024 + 304);
}
