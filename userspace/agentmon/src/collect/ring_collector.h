#pragma once
// The ring path as a Collector: each tick, the rings the agent processes map
// (discovery's scan, earlier in the same tick) are read once by the sleepable
// task iterator (or, without it, through their files), decoded, and turned into the transport
// families with carrier="ring". A ring whose processes are gone gets its final read through the
// file the tracker holds, and is then forgotten.
#include <memory>

#include "analytics/health.h"
#include "base/log.h"
#include "collect/collector.h"
#include "collect/discovery_collector.h"
#include "collect/ring_tracker.h"
#include "collect/tick_context.h"
#include "config/config.h"
#include "kernel/ring_reader_maps.h"
#include "metrics/ring_metrics.h"

namespace agentmon {

class RingCollector : public Collector {
  public:
    // Writes its transport samples into the context's sink, beside the socket
    // path's, whether or not the socket path runs.
    static Result<std::unique_ptr<RingCollector>> create(const Config& config,
                                                         std::shared_ptr<TickContext> context,
                                                         Logger& log);

    std::string_view name() const override { return "ring"; }
    Status collect(SnapshotBuilder& out) override;
    std::vector<BpfProgramRef> programs() const override {
        return maps_ ? maps_->programs() : std::vector<BpfProgramRef>{};
    }

  private:
    RingCollector(std::unique_ptr<RingReaderMaps> maps, std::shared_ptr<TickContext> context,
                  RingTracker tracker, RingMetrics metrics, FrameSpec spec, Logger& log)
        : maps_(std::move(maps)),
          context_(std::move(context)),
          tracker_(std::move(tracker)),
          metrics_(std::move(metrics)),
          spec_(std::move(spec)),
          log_(log) {}

    RingObservation observe(TrackedRing& ring, const RingRead& read);
    // The file reader's tick, for kernels without the task iterator.
    Result<std::map<std::uint32_t, RingRead>> read_files(const std::vector<RingTarget>& targets);
    void self_metrics(SnapshotBuilder& out, std::size_t rings_read);

    std::unique_ptr<RingReaderMaps> maps_;  // null: the files are read (ring_path.reader)
    std::shared_ptr<TickContext> context_;  // tasks, registry, budget, signal board
    RingTracker tracker_;
    RingMetrics metrics_;
    FrameSpec spec_;
    Logger& log_;
    std::uint64_t torn_windows_ = 0, missed_reads_ = 0;
};

}  // namespace agentmon
