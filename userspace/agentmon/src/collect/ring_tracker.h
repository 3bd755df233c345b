#pragma once
// The rings agent processes have mapped, from first sight to the last read after
// their processes are gone. Each tick: the agent processes' /proc/<pid>/maps say
// which ring files they map and where (a ring is known by the file's device and
// inode, since names are reused); each ring gets a stable slot in the kernel's
// ring_slots map and one process to be read through, kept while it maps the ring.
//
// A file descriptor of every ring is held from first sight, so that when all its
// processes exit between two ticks (the bus unlinks the file at once) the final
// counters can still be read: without it the frames of the ring's last partial
// tick would never be counted.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/log.h"
#include "kernel/ring_reader_maps.h"
#include "model/ring_decode.h"
#include "model/ring_mappings.h"

namespace agentmon {

struct TrackedRing {
    std::string name;
    std::uint64_t device = 0, inode = 0;
    std::uint32_t slot = 0, generation = 0;
    RingCursor cursor;
    std::map<std::uint32_t, RingMapping> mappers;  // by proc_root pid, as of this tick
    std::uint32_t reader = 0;                      // proc_root pid read through
    std::uint32_t producer = 0, consumer = 0;      // from the control block, once read
    Fd file;                                       // for the final read
    std::string error;                             // the error state last reported
};

class RingTracker {
  public:
    RingTracker(std::string file_prefix, std::uint32_t windows, Logger& log,
                std::string proc_root = "/proc")
        : file_prefix_(std::move(file_prefix)),
          windows_(windows),
          log_(log),
          proc_root_(std::move(proc_root)) {}

    // Rescans the maps of the processes in `host_pid_of` (by pid as proc_root numbers
    // them, to their host pid); returns this tick's targets for the iterator. The
    // proc_root pid reads /proc; the host pid, which the kernel's iterator matches,
    // goes into the targets only.
    std::vector<RingTarget> discover(const std::map<std::uint32_t, std::uint32_t>& host_pid_of);

    // Rings no process maps any more: read once through the held file, then
    // forgotten by forget_closed(). Keys of rings_.
    const std::vector<std::uint64_t>& closed() const { return closed_; }
    void forget_closed();

    std::map<std::uint64_t, TrackedRing>& rings() { return rings_; }
    TrackedRing* by_slot(std::uint32_t slot);
    // Ring reads skipped because the ring could not get a slot or a reader
    // (RING_SLOTS_MAX, RING_PER_PROC_MAX): one per ring and tick, summed since start,
    // so the no_slot counter built from it never goes backwards.
    std::uint64_t unread_total() const { return unread_total_; }

  private:
    static std::uint64_t key_of(const RingMapping& m) { return m.device * 1000003u ^ m.inode; }
    Fd open_file(std::uint32_t pid, const RingMapping& m) const;

    std::string file_prefix_;
    std::uint32_t windows_;
    Logger& log_;
    std::string proc_root_;
    std::map<std::uint64_t, TrackedRing> rings_;
    std::set<std::uint32_t> free_slots_;
    std::uint32_t next_slot_ = 0;
    std::uint32_t next_generation_ = 1;
    std::vector<std::uint64_t> closed_;
    std::uint64_t unread_total_ = 0;
};

}  // namespace agentmon
