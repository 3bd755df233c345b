#include "base/procfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace agentmon {

namespace {

template <class Int>
bool parse_int(std::string_view text, Int& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view line) {
    size_t close = line.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    // Fields after the comm, starting at field 3 (state).
    std::vector<std::string_view> fields;
    size_t pos = close + 1;
    while (pos < line.size()) {
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\n')) ++pos;
        size_t end = pos;
        while (end < line.size() && line[end] != ' ' && line[end] != '\n') ++end;
        if (end > pos) fields.push_back(line.substr(pos, end - pos));
        pos = end;
    }
    // Field N (1-based) is fields[N - 3].
    constexpr size_t kState = 3 - 3, kUtime = 14 - 3, kStime = 15 - 3, kThreads = 20 - 3,
                     kStart = 22 - 3, kRss = 24 - 3, kExitCode = 52 - 3;
    if (fields.size() <= kRss) return std::nullopt;
    ProcStat stat;
    if (fields[kState].size() != 1 || !parse_int(fields[kUtime], stat.utime_ticks) ||
        !parse_int(fields[kStime], stat.stime_ticks) ||
        !parse_int(fields[kThreads], stat.num_threads) ||
        !parse_int(fields[kStart], stat.start_ticks) || !parse_int(fields[kRss], stat.rss_pages))
        return std::nullopt;
    stat.state = fields[kState][0];
    std::int32_t code = 0;
    if (fields.size() > kExitCode && parse_int(fields[kExitCode], code)) stat.exit_code = code;
    return stat;
}

std::optional<SchedStat> parse_schedstat(std::string_view line) {
    SchedStat s;
    std::uint64_t* out[] = {&s.runtime_ns, &s.run_delay_ns, &s.timeslices};
    size_t pos = 0;
    for (std::uint64_t* value : out) {
        while (pos < line.size() && line[pos] == ' ') ++pos;
        size_t end = pos;
        while (end < line.size() && line[end] != ' ' && line[end] != '\n') ++end;
        if (end == pos || !parse_int(line.substr(pos, end - pos), *value)) return std::nullopt;
        pos = end;
    }
    return s;
}

std::optional<std::uint64_t> parse_vm_rss_bytes(std::istream& status) {
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) != 0) continue;
        std::istringstream fields(line.substr(6));
        std::uint64_t value = 0;
        std::string unit;
        if (!(fields >> value >> unit) || unit != "kB") return std::nullopt;
        return value * 1024;
    }
    return std::nullopt;
}

Result<ProcessUsage> read_self_usage() {
    std::ifstream stat_file("/proc/self/stat");
    std::string line;
    if (!std::getline(stat_file, line)) return Error{"cannot read /proc/self/stat"};
    auto stat = parse_proc_stat(line);
    if (!stat) return Error{"cannot parse /proc/self/stat: " + line};

    static const long ticks_per_second = sysconf(_SC_CLK_TCK);
    ProcessUsage usage;
    usage.cpu_seconds =
        static_cast<double>(stat->utime_ticks + stat->stime_ticks) / double(ticks_per_second);

    std::ifstream status("/proc/self/status");
    if (auto rss = parse_vm_rss_bytes(status)) {
        usage.resident_bytes = *rss;
    } else {
        usage.resident_bytes =
            std::uint64_t(stat->rss_pages) * std::uint64_t(sysconf(_SC_PAGESIZE));
    }
    return usage;
}

std::optional<std::string> read_first_line(const std::string& path) {
    std::ifstream file(path);
    std::string line;
    if (!file || !std::getline(file, line)) return std::nullopt;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    return line;
}

// A small file in one read(2): with a thousand processes a tick, a stream per file
// costs more than the read itself. Files of /proc are generated on read, so a
// process that exits between the listing and the read shows as ENOENT or ESRCH:
// false, never an error.
bool read_small_file(const std::string& path, std::string& out, std::size_t max) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    // Grown as the file turns out larger, not sized to `max` up front: zero-filling
    // a large `max` on every call cost more than the reads (measured on maps files).
    std::size_t have = 0;
    out.resize(std::min<std::size_t>(max, 16384));
    while (have < max) {
        if (have == out.size()) out.resize(std::min(max, out.size() * 2));
        ssize_t n = ::read(fd, out.data() + have, out.size() - have);
        if (n <= 0) break;
        have += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(have);
    return have > 0;
}

}  // namespace agentmon
