// State shared between the agentbus parent and its agent processes: one
// MAP_SHARED anonymous block created before fork. Each agent owns one slot
// (cache-line aligned) and is its only writer; the parent reads the slots for
// the status line, the termination test and the truth file.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>

#include "options.h"

namespace agentbus {

// Latency histogram: exact below 16 ns, then 16 buckets per octave (1/16
// octave, ~4.4 % wide) up to 2^42 ns (~73 minutes); larger values clamp.
inline constexpr uint32_t kHistSub = 16;
inline constexpr uint32_t kHistBuckets = 16 + (42 - 4) * kHistSub;
inline uint32_t hist_bucket(uint64_t ns) {
    if (ns < 16) return static_cast<uint32_t>(ns);
    uint32_t e = 63 - std::countl_zero(ns);
    uint32_t idx = 16 + (e - 4) * kHistSub + static_cast<uint32_t>((ns >> (e - 4)) & 15);
    return idx < kHistBuckets ? idx : kHistBuckets - 1;
}
// Upper bound (exclusive) of a bucket in ns.
inline uint64_t hist_upper(uint32_t idx) {
    if (idx < 16) return idx + 1;
    uint32_t e = (idx - 16) / kHistSub + 4, sub = (idx - 16) % kHistSub;
    return uint64_t{17 + sub} << (e - 4);
}

// Counters of an agent slot, by index.
enum Ctr : uint32_t {
    kSent = 0,                           // + carrier
    kRecv = kSent + kCarrierCount,       // + carrier
    kBytesSent = kRecv + kCarrierCount,  // + carrier
    kBytesRecv = kBytesSent + kCarrierCount,
    kByType = kBytesRecv + kCarrierCount,  // + msg_type (0 = unknown)
    kBudgetUsed = kByType + 16,
    kSequence,
    kCrcErrors,
    kMalformedEvents,  // garbage injections made by this agent
    kMalformedBytes,   // garbage bytes injected (stream bytes + datagram bytes)
    kSkippedBytes,     // garbage bytes skipped by this agent's parsers while resynchronising
    kResyncs,          // times a parser had to resynchronise
    kRejectedDgrams,   // datagrams that were not one valid frame
    kUnauthFrames,     // frames received from non-agent peers (not counted as traffic)
    kUnauthBytes,
    kUnauthConns,
    kBrokenConns,  // connections that broke under this agent (peer died, reset)
    kReconnects,
    kFloodFrames,
    kSlowReplies,
    kStalledNs,
    kReplies,
    kDroppedReplies,  // replies not sent: the requester's queue was over its cap
    kDegradeErrors,   // replies a degrading agent turned into ERROR frames
    kDegradeDelayUs,  // gauge, not a counter: the reply delay a degrading agent applies now
    kDegradeHeldKb,   // gauge: the ballast a degrading agent has allocated and touched
    kBurstFrames,     // frames originated while a burst multiplied the rate
    kRecvNotFirst,    // socket frames received whose header names another agent first
    kCtrCount
};

struct alignas(64) AgentSlot {
    std::atomic<int32_t> pid;
    std::atomic<uint32_t> generation;  // bumped by every (re)start
    std::atomic<uint32_t> listening;   // listeners and rings of this generation exist
    std::atomic<uint32_t> connected;   // first connection round done
    std::atomic<uint32_t> done;        // finished originating
    std::atomic<uint32_t> alive;       // set by the parent
    std::atomic<uint32_t> quit;        // set by the parent: exit 0 now (a clean restart)
    alignas(64) std::atomic<uint64_t> ctr[kCtrCount];
    // Socket frames other agents received whose header names this agent first (a
    // BROADCAST's further copies): added by the receiver, hence shared and atomic.
    std::atomic<uint64_t> first_target_elsewhere;
    alignas(64) std::atomic<uint64_t> hist[kHistBuckets];
};

struct RingEntry {
    std::atomic<uint32_t> gen;  // bumped when the producer publishes a (new) file
    uint32_t producer;          // agent index (0-based)
    uint32_t consumer;
    char name[100];  // shm file name under /dev/shm
};

struct SharedBlock {
    std::atomic<uint64_t> start_ns;  // run start (CLOCK_MONOTONIC), set by the parent
    std::atomic<uint32_t> go;        // agents may originate
    std::atomic<uint32_t> stop;      // stop originating (signal, duration)
    std::atomic<uint32_t> exit_now;  // agents exit
    std::atomic<uint64_t> intruder_frames;
    std::atomic<uint64_t> intruder_bytes;
    uint32_t nagents;
    uint32_t nrings;
    RingEntry rings[2 * kMaxAgents];
    AgentSlot slots[kMaxAgents];
};

inline uint64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace agentbus
