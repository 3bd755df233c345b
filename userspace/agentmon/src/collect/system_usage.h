#pragma once
// The host's CPU and memory use, for system_cpu_utilization_ratio,
// system_memory_usage_bytes and capacity_utilization_ratio: /proc/stat's first
// line (busy over total jiffies since the last read) and /proc/meminfo
// (MemTotal - MemAvailable). Two small reads per tick, no scan.
#include <cstdint>
#include <optional>
#include <string_view>

namespace agentmon {

struct CpuJiffies {
    std::uint64_t busy = 0, total = 0;
};
// "cpu  user nice system idle iowait irq softirq steal ..." -> busy and total
// (idle and iowait are not busy; guest time is inside user already).
std::optional<CpuJiffies> parse_cpu_line(std::string_view line);

struct MemoryInfo {
    double total_bytes = 0, available_bytes = 0;
};
std::optional<MemoryInfo> parse_meminfo(std::string_view text);

class SystemUsage {
  public:
    // Reads both files; the CPU ratio is over the time since the previous call
    // (nullopt on the first, or when /proc/stat cannot be read).
    void update();
    std::optional<double> cpu_ratio() const { return cpu_ratio_; }
    std::optional<MemoryInfo> memory() const { return memory_; }

  private:
    std::optional<CpuJiffies> before_;
    std::optional<double> cpu_ratio_;
    std::optional<MemoryInfo> memory_;
};

}  // namespace agentmon
