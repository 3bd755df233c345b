#include "collect/ring_tracker.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>

#include "base/procfs.h"

namespace agentmon {

namespace {

// /proc/<pid>/maps of a process with a few hundred mappings fits easily; larger
// ones are cut, and rings past the cut are missed until the process has fewer.
constexpr std::size_t kMapsMax = 1 << 20;

}  // namespace

TrackedRing* RingTracker::by_slot(std::uint32_t slot) {
    for (auto& [key, ring] : rings_)
        if (ring.slot == slot) return &ring;
    return nullptr;
}

Fd RingTracker::open_file(std::uint32_t pid, const RingMapping& m) const {
    // map_files reaches the mapped file even when it is already unlinked; it needs
    // CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN) in the initial user namespace.
    const std::string proc = proc_root_ + "/" + std::to_string(pid);
    char range[64];
    std::snprintf(range, sizeof range, "%" PRIx64 "-%" PRIx64, m.start, m.end);
    Fd fd(::open((proc + "/map_files/" + range).c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.valid()) return fd;
    // Then the path as the process sees it: through /proc/<pid>/root, its own root
    // and mount namespace (a container's /dev/shm is not ours), which needs only
    // ptrace read access (CAP_SYS_PTRACE for another user's process); last, the
    // path in agentmon's own namespace. The inode check keeps a file of the same
    // name that is not the mapped one from being read.
    const std::string dir = file_prefix_.substr(0, file_prefix_.rfind('/') + 1);
    for (const std::string& path : {proc + "/root" + dir + m.name, dir + m.name}) {
        fd = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        struct stat st {};
        if (fd.valid() && fstat(fd.get(), &st) == 0 && st.st_ino == m.inode) return fd;
        fd.reset();
    }
    return fd;
}

std::vector<RingTarget> RingTracker::discover(
    const std::map<std::uint32_t, std::uint32_t>& host_pid_of) {
    for (auto& [key, ring] : rings_) ring.mappers.clear();
    std::string text;
    for (const auto& [pid, host_pid] : host_pid_of) {
        if (!read_small_file(proc_root_ + "/" + std::to_string(pid) + "/maps", text, kMapsMax))
            continue;
        for (auto& m : parse_ring_mappings(text, file_prefix_)) {
            const std::uint64_t key = key_of(m);
            auto [it, added] = rings_.try_emplace(key);
            TrackedRing& ring = it->second;
            if (added) {
                ring.name = m.name;
                ring.device = m.device;
                ring.inode = m.inode;
                ring.generation = next_generation_++;
                if (!free_slots_.empty()) {
                    ring.slot = *free_slots_.begin();
                    free_slots_.erase(free_slots_.begin());
                } else {
                    ring.slot = next_slot_++;
                }
                ring.file = open_file(pid, m);
                log_.info("ring found", {{"ring", m.name},
                                         {"pid", std::to_string(pid)},
                                         {"final_read", ring.file.valid() ? "file" : "none"}});
            }
            ring.mappers.try_emplace(pid, m);
        }
    }
    closed_.clear();
    std::vector<RingTarget> targets;
    std::map<std::uint32_t, std::uint32_t> per_process;
    for (auto& [key, ring] : rings_) {
        if (ring.mappers.empty()) {
            closed_.push_back(key);
            continue;
        }
        if (!ring.mappers.count(ring.reader)) ring.reader = ring.mappers.begin()->first;
        if (ring.slot >= RING_SLOTS_MAX || ++per_process[ring.reader] > RING_PER_PROC_MAX) {
            ++unread_total_;
            continue;
        }
        const RingMapping& m = ring.mappers.at(ring.reader);
        targets.push_back({ring.slot, host_pid_of.at(ring.reader), m.start, m.end - m.start,
                           ring.cursor.tail, windows_, ring.generation});
    }
    return targets;
}

void RingTracker::forget_closed() {
    for (std::uint64_t key : closed_) {
        auto it = rings_.find(key);
        if (it == rings_.end()) continue;
        log_.info("ring closed",
                  {{"ring", it->second.name},
                   {"frames_written", std::to_string(it->second.cursor.msgs_written)},
                   {"frames_read", std::to_string(it->second.cursor.msgs_read)}});
        if (it->second.slot < RING_SLOTS_MAX) free_slots_.insert(it->second.slot);
        rings_.erase(it);
    }
    closed_.clear();
}

}  // namespace agentmon
