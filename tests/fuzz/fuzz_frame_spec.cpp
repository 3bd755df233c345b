// Fuzz target: a "frame_spec" value of the config (model/frame_spec.cpp), then the
// frames that spec describes, decoded by the ring decoder (model/ring_decode.cpp).
//
// Input: the spec's JSON text, a NUL byte, then the bytes of one ring data area
// holding records of that spec. A spec that validates is turned into the
// kernel's form (which must stay within the header bytes the kernel decoder
// reads) and then used to walk the records: fields at any offset and width
// the spec allows must decode without reading past the bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_check.h"
#include "model/frame_spec.h"
#include "model/ring_decode.h"

using namespace agentmon;

namespace {

// The config loader refuses deeper documents before parsing (input_limits.h).
constexpr int kMaxDepth = 64;

void decode_with(const FrameSpec& spec, const std::uint8_t* data, std::size_t size) {
    constexpr std::uint32_t kRingSize = 1u << 16;
    size = std::min<std::size_t>(size, kRingSize);
    RingRead read;
    read.read_ns = 2'000'000'000;
    read.control.size = kRingSize;
    read.control.mask = kRingSize - 1;
    read.control.head = read.head_after = size;
    read.control.tail = size / 2;
    read.control.msgs_written = read.control.bytes_written = size;
    read.control.msgs_read = read.control.bytes_read = size / 2;
    read.hol_position = size / 2;
    const std::size_t hol_at = size / 2 & ~std::size_t{7};
    read.hol.assign(data + hol_at, data + std::min(size, hol_at + RING_HOL_BYTES));
    // Two windows laid end to end (joined by the decoder) and one resynchronised.
    const std::size_t cut = size / 3 & ~std::size_t{7};
    read.windows.push_back({0, {data, data + cut}});
    read.windows.push_back({cut, {data + cut, data + size}});
    read.windows.push_back({size / 4 + 3, {data + size / 4, data + size}});
    const RingTick tick = decode_ring(read, RingCursor{}, spec);
    FUZZ_CHECK(tick.error.empty());
    for (const auto& f : tick.written_sample) {
        FUZZ_CHECK(f.position < size);
        FUZZ_CHECK(f.bytes >= spec.header_size);
    }
    FUZZ_CHECK(tick.read_sample.size() <= tick.written_sample.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto* nul = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
    const std::size_t text_size = nul ? static_cast<std::size_t>(nul - data) : size;
    const std::string_view text(reinterpret_cast<const char*>(data), text_size);
    bool too_deep = false;
    const nlohmann::json value = nlohmann::json::parse(
        text,
        [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
            too_deep = too_deep || depth > kMaxDepth;
            return !too_deep;
        },
        /*allow_exceptions=*/false);
    if (value.is_discarded() || too_deep) return 0;

    std::vector<std::string> problems;
    const FrameSpec spec = parse_frame_spec(value, problems);
    if (!problems.empty()) return 0;
    if (!spec.validate().empty()) return 0;
    const frame_spec kernel = spec.to_bpf();
    FUZZ_CHECK(kernel.span <= FRAME_SPAN_MAX);
    FUZZ_CHECK(kernel.span >= kernel.magic_width);
    FUZZ_CHECK(kernel.header_size == spec.header_size && kernel.magic == spec.magic);
    if (nul) decode_with(spec, nul + 1, size - text_size - 1);
    return 0;
}
