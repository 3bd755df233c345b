// The socket path's per-tick read of its counters: frames, pairs, per-agent
// counts, the latency, size and processing-time histograms and the decoder's
// events, each map in batches with its CPUs summed. Apart from socket_maps.cpp,
// which loads and configures the object, and socket_backlog.cpp (queue depths).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstring>

#include "base/clock.h"
#include "kernel/bpf_map_read.h"
#include "kernel/socket_maps.h"

// After socket_trace.h (via socket_reading.h): the skeleton embeds its types.
#include "socket_trace.skel.h"

namespace agentmon {

namespace {

// Zeroes the fields of `key` that `keep` does not keep (KEEP_* bits).
void fold_unkept(frame_series_key& key, std::uint32_t keep) {
    if (!(keep & KEEP_SOURCE)) key.source_type = 0;
    if (!(keep & KEEP_TARGET)) key.target_type = 0;
    if (!(keep & KEEP_MSG_TYPE)) key.msg_type = 0;
    if (!(keep & KEEP_PRIORITY)) key.priority = 0;
}

HistogramReading to_histogram(const std::uint64_t* words) {
    HistogramReading h;
    std::copy(words, words + h.buckets.size(), h.buckets.begin());
    h.sum = words[h.buckets.size()];
    return h;
}

// A per-CPU array of histograms keyed by a u32 slot (latency, sizes, processing
// time): on_slot(slot, histogram) for each slot, its CPUs summed.
template <class OnSlot>
Status read_histograms(const bpf_map* map, int ncpus, OnSlot on_slot) {
    return read_percpu_u64(map, ncpus, [&](const void* key, const std::uint64_t* words) {
        std::uint32_t slot = 0;
        std::memcpy(&slot, key, sizeof(slot));
        on_slot(slot, to_histogram(words));
    });
}

}  // namespace

std::uint64_t HistogramReading::count() const {
    std::uint64_t total = 0;
    for (auto b : buckets) total += b;
    return total;
}

void HistogramReading::add(const HistogramReading& other) {
    for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i] += other.buckets[i];
    sum += other.sum;
}

Result<SocketReading> SocketMaps::read() const {
    SocketReading reading;
    reading.monotonic_seconds = monotonic_seconds();
    reading.frames_map_capacity = bpf_map__max_entries(skel_->maps.frames);

    reading.frames.reserve(frames_seen_);
    Status st = read_percpu_u64(skel_->maps.frames, ncpus_,
                                [&](const void* key, const std::uint64_t* words) {
                                    FrameCountEntry e;
                                    std::memcpy(&e.key, key, sizeof(e.key));
                                    e.counts.frames = words[0];
                                    e.counts.bytes = words[1];
                                    reading.frames.push_back(e);
                                });
    if (!st) return st.error();
    reading.frames_map_entries = reading.frames.size();
    frames_seen_ = reading.frames.size();
    // A pinned map kept from a run that kept more fields holds them: fold them the
    // way this run's keys are folded, so its counts add to the same series.
    for (auto& e : reading.frames) fold_unkept(e.key, frame_key_keep_);

    st = read_percpu_u64(skel_->maps.frame_pairs, ncpus_,
                         [&](const void* key, const std::uint64_t* words) {
                             if (!words[0]) return;
                             std::uint32_t slot = 0;
                             std::memcpy(&slot, key, sizeof(slot));
                             PairCountEntry e;
                             e.direction = slot % DIR_COUNT;
                             e.carrier = slot / DIR_COUNT % CARRIER_COUNT;
                             e.target_type = slot / DIR_COUNT / CARRIER_COUNT % AGENT_TYPE_SLOTS;
                             e.source_type = slot / DIR_COUNT / CARRIER_COUNT / AGENT_TYPE_SLOTS;
                             e.counts.frames = words[0];
                             e.counts.bytes = words[1];
                             reading.pairs.push_back(e);
                         });
    if (!st) return st.error();

    st = read_percpu_u64(skel_->maps.agent_sends, ncpus_,
                         [&](const void* key, const std::uint64_t* words) {
                             std::uint32_t id = 0;
                             std::memcpy(&id, key, sizeof(id));
                             // An id that only received is not a sender.
                             if (words[0] || words[1])
                                 reading.sent_by_agent[id] = agent_sends{words[0], words[1], 0};
                             if (words[2]) reading.received_by_agent[id] = words[2];
                         });
    if (!st) return st.error();
    st = read_percpu_counters(skel_->maps.received_unattributed, ncpus_,
                              reading.received_unattributed);
    if (!st) return st.error();
    // What the frames map could not key (full, or a process over its label quota),
    // as one key per carrier and direction with no agent, message type or
    // priority: the totals stay exact.
    st = read_percpu_u64(skel_->maps.frames_overflow, ncpus_,
                         [&](const void* key, const std::uint64_t* words) {
                             std::uint32_t slot = 0;
                             std::memcpy(&slot, key, sizeof(slot));
                             if (!words[0]) return;
                             FrameCountEntry e;
                             e.key.carrier = std::uint8_t(slot / DIR_COUNT);
                             e.key.direction = std::uint8_t(slot % DIR_COUNT);
                             e.counts.frames = words[0];
                             e.counts.bytes = words[1];
                             reading.frames.push_back(e);
                         });
    if (!st) return st.error();

    st = read_histograms(skel_->maps.latency, ncpus_, [&](std::uint32_t slot, HistogramReading h) {
        if (!h.count()) return;
        reading.latency.push_back({slot / CARRIER_COUNT / AGENT_TYPE_SLOTS,
                                   slot / CARRIER_COUNT % AGENT_TYPE_SLOTS, slot % CARRIER_COUNT,
                                   h});
    });
    if (!st) return st.error();

    st = read_histograms(skel_->maps.sizes, ncpus_, [&](std::uint32_t slot, HistogramReading h) {
        if (!h.count()) return;
        reading.sizes.push_back({slot / DIR_COUNT / CARRIER_COUNT, slot / DIR_COUNT % CARRIER_COUNT,
                                 slot % DIR_COUNT, h});
    });
    if (!st) return st.error();

    st = read_percpu_u64(skel_->maps.syscall_errors, ncpus_,
                         [&](const void* key, const std::uint64_t* w) {
                             if (!w[0]) return;
                             std::uint32_t slot = 0;
                             std::memcpy(&slot, key, sizeof(slot));
                             SyscallErrorEntry e;
                             e.direction = slot % DIR_COUNT;
                             e.carrier = slot / DIR_COUNT % CARRIER_COUNT;
                             e.err = slot / DIR_COUNT / CARRIER_COUNT;
                             e.count = w[0];
                             reading.syscall_errors.push_back(e);
                         });
    if (!st) return st.error();

    st = read_histograms(skel_->maps.processing, ncpus_,
                         [&](std::uint32_t type, const HistogramReading& h) {
                             if (type < AGENT_TYPE_SLOTS) reading.processing[type] = h;
                         });
    if (!st) return st.error();
    // By responder, added to its type's so that `processing` holds every reply.
    st = read_histograms(
        skel_->maps.processing_by_agent, ncpus_, [&](std::uint32_t id, const HistogramReading& h) {
            if (!h.count()) return;
            // The kernel's agent_type(id): the table written at start.
            const std::uint32_t type =
                id < agent_types_.size() && agent_types_[id] && agent_types_[id] < AGENT_TYPE_SLOTS
                    ? agent_types_[id]
                    : (id - 1) % 28 + 1;
            reading.processing[type].add(h);
            reading.processing_by_agent.push_back({id, type, h});
        });
    if (!st) return st.error();

    read_intruders(reading);

    st = read_percpu_counters(skel_->maps.walk_events, ncpus_, reading.walk_events);
    if (!st) return st.error();
    return reading;
}

Status SocketMaps::expire_requests(std::uint64_t timeout_ns,
                                   std::array<std::uint64_t, AGENT_TYPE_SLOTS>& unanswered) {
    const std::uint64_t now = static_cast<std::uint64_t>(monotonic_seconds() * 1e9);
    requests_->expire(now, timeout_ns, unanswered);
    return Status::success();
}

std::vector<BpfProgramRef> SocketMaps::programs() const { return skel_.programs(); }

int SocketMaps::spans_fd() const { return bpf_map__fd(skel_->maps.spans); }

int SocketMaps::span_stats_fd() const { return bpf_map__fd(skel_->maps.span_stats); }

}  // namespace agentmon
