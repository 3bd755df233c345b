// Stream reassembly: frames batched, split at every byte, garbage between
// frames (skipped and counted), corrupt headers.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "agen_frame.h"
#include "shared.h"
#include "stream_parser.h"

using namespace agentbus;

namespace {
std::vector<uint8_t> frames(int n, uint32_t plen) {
    std::vector<uint8_t> out;
    std::vector<uint8_t> payload(plen, 0xAB);
    for (int i = 0; i < n; ++i) {
        agen::AgenHeader h{};
        h.msg_type = 1;
        h.sequence = uint64_t(i);
        h.payload_len = plen;
        agen::encode_frame(h, payload.data(), out);
    }
    return out;
}

size_t feed(StreamParser& p, const uint8_t* data, size_t len, std::vector<uint64_t>* seqs) {
    size_t room;
    uint8_t* dst = p.space(len, &room);
    std::memcpy(dst, data, len);
    p.commit(len);
    return p.parse(
        [&](const agen::AgenHeader& h, const uint8_t*, size_t) { seqs->push_back(h.sequence); });
}
}  // namespace

TEST_CASE("many frames in one read") {
    StreamParser p;
    auto buf = frames(100, 64);
    std::vector<uint64_t> seqs;
    CHECK(feed(p, buf.data(), buf.size(), &seqs) == 100);
    CHECK(seqs.size() == 100);
    CHECK(seqs.back() == 99);
    CHECK(p.skipped_bytes() == 0);
}

TEST_CASE("frames split into 1-byte reads") {
    StreamParser p(512);
    auto buf = frames(5, 1000);  // payload larger than the initial buffer
    std::vector<uint64_t> seqs;
    for (size_t i = 0; i < buf.size(); ++i) feed(p, &buf[i], 1, &seqs);
    REQUIRE(seqs.size() == 5);
    for (uint64_t i = 0; i < 5; ++i) CHECK(seqs[i] == i);
    CHECK(p.buffered() == 0);
}

TEST_CASE("garbage between frames is skipped and counted") {
    StreamParser p;
    auto a = frames(2, 10);
    std::vector<uint8_t> buf(a.begin(), a.begin() + 178);
    const uint8_t junk[] = {1, 2, 3, 0x4E, 0x45, 9, 7};  // includes a false start of the magic
    buf.insert(buf.end(), junk, junk + sizeof junk);
    buf.insert(buf.end(), a.begin() + 178, a.end());
    std::vector<uint64_t> seqs;
    CHECK(feed(p, buf.data(), buf.size(), &seqs) == 2);
    CHECK(p.skipped_bytes() == sizeof junk);
    CHECK(p.resyncs() >= 1);
}

TEST_CASE("a header with a bad crc is skipped, the next frame is found") {
    StreamParser p;
    auto buf = frames(3, 8);
    buf[24] ^= 0xFF;  // corrupt the first frame's sequence
    std::vector<uint64_t> seqs;
    CHECK(feed(p, buf.data(), buf.size(), &seqs) == 2);
    CHECK(p.bad_headers() == 1);
    CHECK(p.skipped_bytes() == 176);
    CHECK(seqs[0] == 1);
}

TEST_CASE("latency histogram buckets are 1/16 octave and monotonic") {
    CHECK(hist_bucket(0) == 0);
    CHECK(hist_bucket(15) == 15);
    CHECK(hist_bucket(16) == 16);
    uint32_t prev = 0;
    for (uint64_t v = 1; v < (1ull << 40); v = v * 9 / 8 + 1) {
        const uint32_t b = hist_bucket(v);
        CHECK(b >= prev);
        CHECK(hist_upper(b) > v);
        if (b >= 16) CHECK(double(hist_upper(b)) <= double(v) * (1 + 1.0 / 16) + 1);
        prev = b;
    }
    CHECK(hist_bucket(~0ull) == kHistBuckets - 1);
}
