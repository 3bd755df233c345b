#pragma once
// agentmon's own process metrics and the run-time statistics of every BPF program
// the other collectors keep loaded.
#include <functional>
#include <vector>

#include "base/fd.h"
#include "base/log.h"
#include "collect/collector.h"

namespace agentmon {

class ProcessCollector : public Collector {
  public:
    std::string_view name() const override { return "process"; }
    Status collect(SnapshotBuilder& out) override;
};

struct BpfProgramStats {
    std::uint64_t run_time_ns = 0;
    std::uint64_t run_cnt = 0;
};

// From the kernel's bpf_prog_info; the counters stay 0 unless run-time stats are enabled.
Result<BpfProgramStats> read_program_stats(int prog_fd);

class BpfStatsCollector : public Collector {
  public:
    using ProgramSource = std::function<std::vector<BpfProgramRef>()>;

    // Enables kernel BPF run-time statistics (bpf_enable_stats(BPF_STATS_RUN_TIME))
    // for as long as the collector lives: they cost ~20 ns per program run, and
    // the kernel keeps them on while any holder keeps its fd open.
    static std::unique_ptr<BpfStatsCollector> create(ProgramSource programs, Logger& log);

    std::string_view name() const override { return "bpf_stats"; }
    Status collect(SnapshotBuilder& out) override;

  private:
    BpfStatsCollector(ProgramSource programs, Fd stats_fd)
        : programs_(std::move(programs)), stats_fd_(std::move(stats_fd)) {}

    ProgramSource programs_;
    Fd stats_fd_;  // invalid when stats could not be enabled (counters then read 0)
};

}  // namespace agentmon
