// Fuzz target: the records the ring reader's BPF program leaves in its ring
// buffer (bpf/abi/ring_reader.h), parsed as user space parses them
// (kernel/ring_records.cpp) and decoded (model/ring_decode.cpp).
//
// Input: records, each a little-endian u16 length and that many bytes (the ring
// buffer's record boundaries). The bytes of a control block, a header and a
// window are copies of agents' memory, so only their framing comes from the
// kernel. Slots 0 and 1 were asked with generation 1, slot 2 with 7. Each read
// is decoded twice, the second time with the cursor the first left: the same
// copy seen again must count nothing new and give the same verdict.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "fuzz_check.h"
#include "kernel/ring_records.h"
#include "model/frame_spec.h"
#include "model/ring_decode.h"

using namespace agentmon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::map<std::uint32_t, std::uint32_t> generation_of = {{0, 1}, {1, 1}, {2, 7}};
    static const FrameSpec spec = agen_preset();
    std::map<std::uint32_t, RingRead> reads;
    std::vector<std::uint8_t> record;  // the ring buffer's records are 8-byte aligned
    std::size_t at = 0;
    while (at + 2 <= size) {
        const std::size_t len = std::size_t{data[at]} | std::size_t{data[at + 1]} << 8;
        at += 2;
        const std::size_t take = len < size - at ? len : size - at;
        record.assign(data + at, data + at + take);
        collect_ring_record(record.data(), record.size(), generation_of, reads);
        at += take;
    }
    drop_unplaced_reads(reads);
    for (const auto& [slot, read] : reads) {
        FUZZ_CHECK(generation_of.count(slot));
        for (const auto& w : read.windows) FUZZ_CHECK(w.data.size() <= RING_WINDOW_BYTES);
        const RingTick first = decode_ring(read, RingCursor{}, spec);
        const RingTick again = decode_ring(read, first.after, spec);
        FUZZ_CHECK(again.error == first.error);
        FUZZ_CHECK(again.written_frames == 0 && again.read_frames == 0);
        FUZZ_CHECK(again.written_bytes == 0 && again.read_bytes == 0);
        FUZZ_CHECK(again.written_sample.empty() && again.read_sample.empty());
    }
    return 0;
}
