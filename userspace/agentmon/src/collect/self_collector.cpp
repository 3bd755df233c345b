#include "collect/self_collector.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>

#include "base/procfs.h"
#include "collect/process_families.h"

namespace agentmon {

Status ProcessCollector::collect(SnapshotBuilder& out) {
    auto usage = read_self_usage();
    if (!usage) return usage.error();
    out.add(Family::agentmon_process_cpu_seconds_total, usage->cpu_seconds);
    out.add(Family::agentmon_process_resident_memory_bytes, double(usage->resident_bytes));
    return add_standard_process_families(out);
}

Result<BpfProgramStats> read_program_stats(int prog_fd) {
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    // bpf_prog_get_info_by_fd is libbpf >= 1.2; Debian 12 ships 1.1.
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0)
        return errno_error("bpf_obj_get_info_by_fd", errno);
    return BpfProgramStats{info.run_time_ns, info.run_cnt};
}

std::unique_ptr<BpfStatsCollector> BpfStatsCollector::create(ProgramSource programs, Logger& log) {
    Fd stats(bpf_enable_stats(BPF_STATS_RUN_TIME));
    if (!stats.valid())
        log.warn("BPF run-time statistics unavailable; program run counters will read 0",
                 {{"error", std::strerror(errno)}});
    return std::unique_ptr<BpfStatsCollector>(
        new BpfStatsCollector(std::move(programs), std::move(stats)));
}

Status BpfStatsCollector::collect(SnapshotBuilder& out) {
    auto& run_time = out.family(Family::agentmon_bpf_program_run_time_seconds_total);
    auto& runs = out.family(Family::agentmon_bpf_program_runs_total);
    Status status;
    for (const auto& program : programs_()) {
        auto stats = read_program_stats(program.fd);
        if (!stats) {
            status = Error{program.name + ": " + stats.error().message};
            continue;
        }
        SnapshotBuilder::add_sample(run_time, double(stats->run_time_ns) / 1e9,
                                    {{"program", program.name}});
        SnapshotBuilder::add_sample(runs, double(stats->run_cnt), {{"program", program.name}});
    }
    return status;
}

}  // namespace agentmon
