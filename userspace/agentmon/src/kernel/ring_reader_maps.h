#pragma once
// Owns the ring path's BPF object (bpf/ring_reader.bpf.c): loads it, attaches the
// sleepable task iterator, and per tick tells it which rings to read, runs it once
// and collects the copies it made.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_program_ref.h"
#include "kernel/bpf_skeleton.h"
#include "model/ring_decode.h"

struct ring_reader;

namespace agentmon {

// One ring to read this tick: through which process, at which address.
struct RingTarget {
    std::uint32_t slot = 0;  // 0 .. RING_SLOTS_MAX - 1, stable while the ring lives
    std::uint32_t tgid = 0;
    std::uint64_t addr = 0, map_len = 0;
    std::uint64_t sample_from = 0;  // last tick's tail
    std::uint32_t windows = 0;
    std::uint32_t generation = 0;
};

class RingReaderMaps {
  public:
    static Result<std::unique_ptr<RingReaderMaps>> create(const std::string& pin_dir, Logger& log);
    ~RingReaderMaps();
    RingReaderMaps(const RingReaderMaps&) = delete;
    RingReaderMaps& operator=(const RingReaderMaps&) = delete;

    // Runs the iterator over `targets` and returns each slot's copy. A slot missing
    // from the result was not read (its process was gone, or the ring buffer full).
    Result<std::map<std::uint32_t, RingRead>> read(const std::vector<RingTarget>& targets);

    // Totals of enum ring_reader_event since load.
    std::array<std::uint64_t, RING_EVENT_COUNT> events() const;

    std::vector<BpfProgramRef> programs() const;

  private:
    using Skel = BpfSkeleton<ring_reader>;

    explicit RingReaderMaps(Skel skel) : skel_(std::move(skel)) {}
    Status configure(const std::vector<RingTarget>& targets);

    Skel skel_;
    bpf_link* iterator_ = nullptr;  // owned by skel_
    struct ring_buffer* reads_ = nullptr;
    std::vector<std::uint32_t> procs_;  // tgids in ring_procs
    // Filled by the ring buffer callback during read().
    std::map<std::uint32_t, RingRead>* collecting_ = nullptr;
    std::map<std::uint32_t, std::uint32_t> generation_of_;  // slot -> generation asked
    static int on_record(void* self, void* data, std::size_t size);
};

}  // namespace agentmon
