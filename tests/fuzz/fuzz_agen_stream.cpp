// Fuzz target: agentbus's decoding of AGEN frames from a byte stream (unix
// stream and TCP: userspace/agentbus/stream_parser.*, with the wire library's
// decode_header) and from a datagram (the same header check on one packet).
//
// Input: two bytes that seed how the stream is cut into reads, then the stream.
// The stream is parsed twice: in one read, and in reads of 1 to 256 bytes as a
// socket may deliver them. Both must deliver the same frames and skip the same
// bytes; every frame delivered must carry a valid header and be exactly its
// header and payload long. Fewer than 4 bytes are kept for the next read even
// when they cannot start a magic, so only skipped + buffered must agree.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "agen_frame.h"
#include "fuzz_check.h"
#include "stream_parser.h"

namespace {

struct Delivered {
    std::vector<std::uint64_t> sequences;
    std::vector<std::size_t> sizes;
    std::uint64_t skipped = 0, bad_headers = 0;
    std::size_t buffered = 0;
};

Delivered parse_in_reads(const std::uint8_t* data, std::size_t size, std::uint32_t cut_seed) {
    Delivered out;
    // A small initial buffer, so growth and compaction happen within a short input.
    agentbus::StreamParser parser(512);
    std::uint32_t state = cut_seed | 1;
    std::size_t at = 0;
    while (at < size) {
        std::size_t room = 0;
        std::uint8_t* space = parser.space(std::size_t{64} * 1024, &room);
        FUZZ_CHECK(room >= 64 * 1024);
        std::size_t chunk = size - at;
        if (cut_seed) {
            state = state * 1103515245u + 12345u;  // the cuts only need to vary
            chunk = std::min<std::size_t>(chunk, 1 + (state >> 16) % 256);
        }
        std::memcpy(space, data + at, chunk);
        parser.commit(chunk);
        at += chunk;
        parser.parse([&](const agen::AgenHeader& h, const std::uint8_t* frame, std::size_t len) {
            agen::AgenHeader again;
            FUZZ_CHECK(agen::decode_header(frame, len, &again) == agen::HeaderError::kOk);
            FUZZ_CHECK(len == agen::frame_size(h));
            FUZZ_CHECK(std::memcmp(&again, &h, sizeof h) == 0);
            out.sequences.push_back(h.sequence);
            out.sizes.push_back(len);
        });
    }
    out.skipped = parser.skipped_bytes();
    out.bad_headers = parser.bad_headers();
    out.buffered = parser.buffered();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint32_t cut_seed = std::uint32_t{data[0]} | std::uint32_t{data[1]} << 8;
    data += 2;
    size -= 2;

    // A datagram carries exactly one frame (agentbus's read_dgram).
    agen::AgenHeader h;
    if (agen::decode_header(data, size, &h) == agen::HeaderError::kOk)
        FUZZ_CHECK(h.payload_len <= agen::kMaxPayload && h.target_count <= agen::kMaxTargets);

    const Delivered whole = parse_in_reads(data, size, 0);
    const Delivered cut = parse_in_reads(data, size, cut_seed);
    FUZZ_CHECK(whole.sequences == cut.sequences && whole.sizes == cut.sizes);
    FUZZ_CHECK(whole.bad_headers == cut.bad_headers);
    FUZZ_CHECK(whole.skipped + whole.buffered == cut.skipped + cut.buffered);
    FUZZ_CHECK(cut.buffered >= whole.buffered && cut.buffered - whole.buffered < 4);
    std::size_t delivered = 0;
    for (std::size_t s : whole.sizes) delivered += s;
    FUZZ_CHECK(delivered + whole.skipped + whole.buffered == size);
    return 0;
}
