#pragma once
// The socket path's ring buffer of closed spans (`spans`, span_record in
// bpf/abi/socket_trace.h), drained once per tick without blocking: the kernel
// submits without wake-ups, so nothing here polls.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "abi/socket_trace.h"
#include "base/result.h"

struct ring_buffer;

namespace agentmon {

class SpanRing {
  public:
    // `ringbuf_fd`: the spans map; `stats_fd`: the per-CPU span_stats array.
    static Result<std::unique_ptr<SpanRing>> open(int ringbuf_fd, int stats_fd, int ncpus);
    ~SpanRing();
    SpanRing(const SpanRing&) = delete;
    SpanRing& operator=(const SpanRing&) = delete;

    // Appends the records waiting now (at most `max`; the rest wait for the next
    // call) to `out`. Returns how many were appended.
    Result<std::size_t> drain(std::vector<span_record>& out, std::size_t max);

    // The kernel's span counters (enum span_stat), summed over CPUs.
    std::vector<std::uint64_t> stats() const;

  private:
    SpanRing(int stats_fd, int ncpus) : stats_fd_(stats_fd), ncpus_(ncpus) {}
    static int on_record(void* self, void* data, std::size_t size);

    ring_buffer* ring_ = nullptr;
    int stats_fd_ = -1;
    int ncpus_ = 1;
    std::vector<span_record>* out_ = nullptr;
    std::size_t room_ = 0;
};

}  // namespace agentmon
