#pragma once
// Parsers for /proc files. Inputs are injected as strings/streams so tests need
// no particular process; the read_* helpers do the I/O.
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace agentmon {

struct ProcStat {
    char state = '?';                       // field 3: R, S, D, Z (zombie), X (dead), ...
    std::uint64_t utime_ticks = 0;          // field 14 of /proc/<pid>/stat
    std::uint64_t stime_ticks = 0;          // field 15
    std::uint32_t num_threads = 0;          // field 20
    std::uint64_t start_ticks = 0;          // field 22: clock ticks after boot
    std::int64_t rss_pages = 0;             // field 24
    std::optional<std::int32_t> exit_code;  // field 52 (3.5+): the wait status, once dead
};

// Parses one /proc/<pid>/stat line. The command name (field 2) may hold spaces
// and parentheses, so fields are counted from the last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view line);

// /proc/<pid>/task/<tid>/schedstat: the thread's on-CPU time, its time runnable
// but waiting for a CPU, and how many times it got one (the scheduler's
// sum_exec_runtime, sched_info.run_delay and sched_info.pcount).
struct SchedStat {
    std::uint64_t runtime_ns = 0, run_delay_ns = 0, timeslices = 0;
};
std::optional<SchedStat> parse_schedstat(std::string_view line);

// VmRSS from a /proc/<pid>/status stream, in bytes.
std::optional<std::uint64_t> parse_vm_rss_bytes(std::istream& status);

struct ProcessUsage {
    double cpu_seconds = 0;  // user + system
    std::uint64_t resident_bytes = 0;
};

// Reads /proc/self/stat and /proc/self/status.
Result<ProcessUsage> read_self_usage();

// First line of a small file (e.g. a sysctl), trimmed; nullopt if unreadable.
std::optional<std::string> read_first_line(const std::string& path);

// Reads up to `max` bytes of a small file (a /proc file) in one go. False when it
// cannot be opened or is empty: a process that exited between a listing and the
// read shows as ENOENT or ESRCH, which is normal, not an error.
bool read_small_file(const std::string& path, std::string& out, std::size_t max);

}  // namespace agentmon
