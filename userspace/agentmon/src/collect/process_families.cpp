#include "collect/process_families.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <string>

#include "base/procfs.h"

namespace agentmon {

std::optional<StatTimes> parse_stat_start_and_vsize(std::string_view line) {
    const size_t paren = line.rfind(')');
    if (paren == std::string_view::npos) return std::nullopt;
    std::string_view rest = line.substr(paren + 1);
    // After ')' come fields 3, 4, ...; field 22 is the 20th of them.
    StatTimes times;
    int field = 2;
    while (!rest.empty()) {
        const size_t start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        rest = rest.substr(start);
        const size_t end = std::min(rest.find(' '), rest.size());
        ++field;
        std::uint64_t* target = field == 22   ? &times.start_ticks
                                : field == 23 ? &times.vsize_bytes
                                              : nullptr;
        if (target) {
            auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + end, *target);
            if (ec != std::errc() || ptr != rest.data() + end) return std::nullopt;
            if (field == 23) return times;
        }
        rest = rest.substr(end);
    }
    return std::nullopt;
}

namespace {

// Boot time (seconds since the epoch) from /proc/stat's btime line.
std::optional<double> boot_time_seconds() {
    std::ifstream stat("/proc/stat");
    std::string key;
    double value = 0;
    while (stat >> key) {
        if (key == "btime" && stat >> value) return value;
        stat.ignore(1 << 16, '\n');
    }
    return std::nullopt;
}

std::optional<double> open_fds() {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return std::nullopt;
    double count = 0;
    while (dirent* entry = readdir(dir))
        if (entry->d_name[0] != '.') ++count;
    closedir(dir);
    return count - 1;  // the directory stream's own fd
}

}  // namespace

Status add_standard_process_families(SnapshotBuilder& out) {
    auto usage = read_self_usage();
    if (!usage) return usage.error();
    out.add(Family::process_cpu_seconds_total, usage->cpu_seconds);
    out.add(Family::process_resident_memory_bytes, double(usage->resident_bytes));
    if (auto fds = open_fds()) out.add(Family::process_open_fds, *fds);
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0)
        out.add(Family::process_max_fds, double(limit.rlim_cur));

    auto line = read_first_line("/proc/self/stat");
    auto times = line ? parse_stat_start_and_vsize(*line) : std::nullopt;
    if (!times) return Error{"cannot parse /proc/self/stat for start time and vsize"};
    out.add(Family::process_virtual_memory_bytes, double(times->vsize_bytes));
    // The start time never changes: computed once (btime is fixed per boot).
    static const std::optional<double> start = [&]() -> std::optional<double> {
        auto boot = boot_time_seconds();
        if (!boot) return std::nullopt;
        return *boot + double(times->start_ticks) / double(sysconf(_SC_CLK_TCK));
    }();
    if (start) out.add(Family::process_start_time_seconds, *start);
    return Status::success();
}

}  // namespace agentmon
