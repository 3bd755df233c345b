#pragma once
// One tick's raw reading of the socket path's BPF maps, summed over CPUs. The
// socket collector fills it from the kernel; socket_metrics turns it into metric
// families. Keeping the two apart lets the naming, budgeting and rate logic be
// tested without a kernel.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "abi/socket_trace.h"

namespace agentmon {

static_assert(sizeof(frame_spec) == 80, "frame_spec layout shared with bpf/socket_trace.bpf.c");
static_assert(sizeof(frame_key) == 16, "frame_key layout shared with bpf/socket_trace.bpf.c");
static_assert(sizeof(frame_series_key) == 8, "frame_series_key layout shared with the BPF side");
static_assert(sizeof(agent_sends) == 24, "agent_sends layout shared with the BPF side");
static_assert(sizeof(request_slot) == 32, "request_slot layout shared with the BPF side");
static_assert(sizeof(frame_counts) == 16, "frame_counts layout shared with the BPF side");
static_assert(sizeof(histogram) == 8 * (HIST_BOUNDS_MAX + 2), "histogram layout shared");
static_assert(sizeof(watched_task) == 8, "watched_task layout shared with the BPF side");
static_assert(sizeof(intruder_key) == 16, "intruder_key layout shared with the BPF side");
static_assert(sizeof(backlog) == 16, "backlog layout shared with the BPF side");
static_assert(sizeof(backlog_record) == 8, "backlog_record layout shared with the BPF side");
// The kernel indexes its histogram arrays with these: a changed enum changes the maps.
static_assert(CARRIER_UNIX == 0 && CARRIER_DGRAM == 1 && CARRIER_TCP == 2 && CARRIER_RING == 3 &&
                  CARRIER_COUNT == 4,
              "carrier numbering shared with the BPF side (latency_index, size_index)");
static_assert(DIR_SENT == 0 && DIR_RECEIVED == 1 && DIR_COUNT == 2,
              "direction numbering shared with the BPF side");
static_assert(LATENCY_SLOTS == 29 * 29 * 4 && SIZE_SLOTS == 16 * 4 * 2 &&
                  PAIR_SLOTS == 29 * 29 * 4 * 2,
              "array sizes shared with the BPF side");

// One key of the frames map: agent types and the header fields the labels keep
// (the others 0; see frame_series_key).
struct FrameCountEntry {
    frame_series_key key{};
    frame_counts counts{};
};

// Frames of one agent type pair, carrier and direction (the frame_pairs array).
struct PairCountEntry {
    std::uint32_t source_type = 0, target_type = 0;  // 0..28
    std::uint32_t carrier = 0, direction = 0;
    frame_counts counts{};
};

// A histogram in the kernel's layout, with the bounds it was built with.
struct HistogramReading {
    std::array<std::uint64_t, HIST_BOUNDS_MAX + 1> buckets{};  // last slot: above every bound
    std::uint64_t sum = 0;                                     // nanoseconds or bytes
    std::uint64_t count() const;
    void add(const HistogramReading& other);  // bucket by bucket, and the sum
};

struct LatencyEntry {
    std::uint32_t source_type = 0;  // 0..28, 0 = no known type
    std::uint32_t target_type = 0;
    std::uint32_t carrier = 0;  // enum carrier
    HistogramReading histogram;
};

struct SizeEntry {
    std::uint32_t msg_type = 0;  // 0..MSG_TYPE_SLOTS-1
    std::uint32_t carrier = 0;
    std::uint32_t direction = 0;
    HistogramReading histogram;
};

struct SyscallErrorEntry {
    std::uint32_t err = 0;  // errno value (ERRNO_SLOTS-1 collects larger ones)
    std::uint32_t carrier = 0;
    std::uint32_t direction = 0;
    std::uint64_t count = 0;
};

// One responder's processing-time histogram (the processing_by_agent array).
struct ProcessingEntry {
    std::uint32_t agent_id = 0;
    std::uint32_t agent_type = 0;  // the kernel's type of the id (its agent_type_of table)
    HistogramReading histogram;
};

// Frames an agent received from a process that is not an agent.
struct IntruderEntry {
    std::uint32_t tgid = 0, uid = 0;
    std::uint32_t target_type = 0;  // the receiving agent's type
    std::uint32_t carrier = 0;
    std::uint64_t frames = 0, bytes = 0;
    std::string comm;  // the offender's, from /proc while it lives; "" when gone
};

struct SocketReading {
    std::vector<FrameCountEntry> frames;  // only keys present in the map
    std::vector<PairCountEntry> pairs;    // only pairs with frames
    // Frames each agent id sent (and ERROR frames among them), since it started.
    std::map<std::uint32_t, agent_sends> sent_by_agent;
    std::vector<LatencyEntry> latency;              // only slots with a non-zero count
    std::vector<SizeEntry> sizes;                   // only slots with a non-zero count
    std::vector<SyscallErrorEntry> syscall_errors;  // only non-zero
    std::array<std::uint64_t, WALK_EVENT_COUNT> walk_events{};
    // Frames received addressed to each agent id (the header's first target, whose
    // type frame_pairs' target_type is), since the maps were created; only ids
    // with frames.
    std::map<std::uint32_t, std::uint64_t> received_by_agent;
    // Received frames whose target id the kernel had no room for, by target type:
    // with received_by_agent, every received frame once.
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> received_unattributed{};
    // Processing-time histograms by responding agent type (index 0..28): every
    // matched reply, those of processing_by_agent included.
    std::array<HistogramReading, AGENT_TYPE_SLOTS> processing{};
    // The same by responding agent id, for the replies whose responder the
    // kernel had room for (the rest are in `processing` only).
    std::vector<ProcessingEntry> processing_by_agent;
    // Requests timed out since the last reading, by responding agent type.
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> unanswered{};
    std::vector<IntruderEntry> intruders;
    // Packets waiting in each agent's socket receive queues, by agent id: every
    // discovered agent, 0 included (the collector maps processes to agents).
    std::map<std::uint32_t, std::int64_t> backlog_by_agent;
    // Failed sends and receives (EAGAIN excluded) of each agent's processes, since
    // they started.
    std::map<std::uint32_t, std::uint64_t> errors_by_agent;
    std::uint64_t frames_map_entries = 0;  // keys in use, for agentmon_bpf_map_entries
    std::uint64_t frames_map_capacity = 0;
    double monotonic_seconds = 0;  // when it was read (CLOCK_MONOTONIC), for rates
};

}  // namespace agentmon
