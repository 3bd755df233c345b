#include "kernel/span_ring.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

namespace agentmon {

static_assert(sizeof(span_record) == 80, "span_record: the ABI of bpf/abi/socket_trace.h");
static_assert(sizeof(open_span_key) == 24 && sizeof(open_span) == 40);

Result<std::unique_ptr<SpanRing>> SpanRing::open(int ringbuf_fd, int stats_fd, int ncpus) {
    std::unique_ptr<SpanRing> ring(new SpanRing(stats_fd, ncpus));
    ring->ring_ = ring_buffer__new(ringbuf_fd, &SpanRing::on_record, ring.get(), nullptr);
    if (!ring->ring_) return errno_error("open the spans ring buffer", errno);
    return ring;
}

SpanRing::~SpanRing() {
    if (ring_) ring_buffer__free(ring_);
}

int SpanRing::on_record(void* self_ptr, void* data, std::size_t size) {
    auto* self = static_cast<SpanRing*>(self_ptr);
    if (!self->out_ || size < sizeof(span_record)) return 0;
    span_record r{};
    std::memcpy(&r, data, sizeof r);
    self->out_->push_back(r);
    // A negative return stops ring_buffer__consume after this record: the rest
    // stay in the buffer for the next tick.
    return --self->room_ == 0 ? -1 : 0;
}

Result<std::size_t> SpanRing::drain(std::vector<span_record>& out, std::size_t max) {
    if (max == 0) return std::size_t{0};
    const std::size_t before = out.size();
    out_ = &out;
    room_ = max;
    const int n = ring_buffer__consume(ring_);
    out_ = nullptr;
    if (n < 0 && out.size() == before) return errno_error("consume the spans ring buffer", -n);
    return out.size() - before;
}

std::vector<std::uint64_t> SpanRing::stats() const {
    std::vector<std::uint64_t> totals(SPAN_STAT_COUNT, 0);
    std::vector<std::uint64_t> per_cpu(static_cast<std::size_t>(ncpus_));
    for (std::uint32_t i = 0; i < SPAN_STAT_COUNT; ++i) {
        if (bpf_map_lookup_elem(stats_fd_, &i, per_cpu.data())) continue;
        for (auto v : per_cpu) totals[i] += v;
    }
    return totals;
}

}  // namespace agentmon
