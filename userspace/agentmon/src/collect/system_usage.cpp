#include "collect/system_usage.h"

#include <charconv>
#include <string>

#include "base/procfs.h"

namespace agentmon {

namespace {

// The unsigned numbers of `text` in order, from `from` on.
template <std::size_t N>
std::size_t read_numbers(std::string_view text, std::uint64_t (&out)[N]) {
    std::size_t n = 0;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    while (p < end && n < N) {
        while (p < end && (*p < '0' || *p > '9')) ++p;
        if (p == end) break;
        auto [next, ec] = std::from_chars(p, end, out[n]);
        if (ec != std::errc()) break;
        ++n;
        p = next;
    }
    return n;
}

std::optional<double> meminfo_kb(std::string_view text, std::string_view key) {
    const auto at = text.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    std::uint64_t kb[1] = {};
    const auto eol = text.find('\n', at);
    if (read_numbers(text.substr(at + key.size(),
                                 eol == std::string_view::npos ? text.npos : eol - at - key.size()),
                     kb) != 1)
        return std::nullopt;
    return static_cast<double>(kb[0]) * 1024.0;
}

}  // namespace

std::optional<CpuJiffies> parse_cpu_line(std::string_view line) {
    if (line.substr(0, 4) != "cpu ") return std::nullopt;
    std::uint64_t v[8] = {};
    if (read_numbers(line.substr(4), v) < 4) return std::nullopt;
    CpuJiffies j;
    for (auto x : v) j.total += x;
    j.busy = j.total - v[3] - v[4];  // idle, iowait
    return j;
}

std::optional<MemoryInfo> parse_meminfo(std::string_view text) {
    auto total = meminfo_kb(text, "MemTotal:");
    auto available = meminfo_kb(text, "MemAvailable:");
    if (!total || !available) return std::nullopt;
    return MemoryInfo{*total, *available};
}

void SystemUsage::update() {
    cpu_ratio_.reset();
    if (auto line = read_first_line("/proc/stat"))
        if (auto now = parse_cpu_line(*line)) {
            if (before_ && now->total > before_->total && now->busy >= before_->busy)
                cpu_ratio_ = static_cast<double>(now->busy - before_->busy) /
                             static_cast<double>(now->total - before_->total);
            before_ = now;
        }
    std::string text;
    if (read_small_file("/proc/meminfo", text, 1 << 14)) memory_ = parse_meminfo(text);
}

}  // namespace agentmon
