#pragma once
// Where agent processes have mapped ring files: the lines of /proc/<pid>/maps whose
// path starts with the ring file prefix (/dev/shm/agent_ring_ by default). A file
// the bus already unlinked still shows, with " (deleted)" after its path; its
// memory stays readable while mapped.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentmon {

struct RingMapping {
    std::string name;  // file name without the directory: the ring's label
    std::uint64_t start = 0, end = 0;
    std::uint64_t device = 0, inode = 0;  // the file's identity: names are reused
    bool deleted = false;
};

// Only mappings of the file's start (offset 0) that are at least one page long:
// the control block is at the start of the file.
std::vector<RingMapping> parse_ring_mappings(std::string_view maps_text,
                                             std::string_view file_prefix);

}  // namespace agentmon
