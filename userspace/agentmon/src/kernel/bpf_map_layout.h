#pragma once
// Whether a map pinned by an earlier run can be reused by the object about to
// load: same type, key and value size, max_entries and flags (what the kernel
// fixes at creation), and the same value and key layout in BTF (a field moved
// inside a struct of unchanged size is a different map to the programs).
#include <bpf/libbpf.h>

#include <string>

namespace agentmon {

// "" when the map pinned at `fd` matches `map` (an opened, not yet loaded map of
// an object); otherwise what differs, for the log line.
std::string pinned_map_mismatch(int fd, const bpf_map* map, const btf* object_btf);

}  // namespace agentmon
