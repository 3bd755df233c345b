#pragma once
// The process_* families every Prometheus client library exports (the Go and Python
// clients' names and meanings), so agentmon's own dashboards and alerts written
// for any exporter work unchanged. They sit beside agentmon_process_*.
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "metrics/snapshot.h"

namespace agentmon {

struct StatTimes {
    std::uint64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat: since boot
    std::uint64_t vsize_bytes = 0;  // field 23
};

// Fields 22 and 23 of a /proc/<pid>/stat line, counted from the last ')'.
std::optional<StatTimes> parse_stat_start_and_vsize(std::string_view line);

// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds for this process.
Status add_standard_process_families(SnapshotBuilder& out);

}  // namespace agentmon
