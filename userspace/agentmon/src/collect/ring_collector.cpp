#include "collect/ring_collector.h"

#include <fstream>
#include <set>

#include "base/caps.h"
#include "base/clock.h"
#include "kernel/ring_file_read.h"

namespace agentmon {

Result<std::unique_ptr<RingCollector>> RingCollector::create(const Config& config,
                                                             std::shared_ptr<TickContext> context,
                                                             Logger& log) {
    // The kernel's iterator copies every ring in one pass, without a syscall per
    // ring; without it (before 5.18, or refused) agentmon preads each ring's file:
    // the same bytes and counts, a few syscalls per ring per tick. Not when
    // agentmon lacks the privileges to load any program: that is no kernel's
    // limit, and the path stays disabled and says so.
    std::unique_ptr<RingReaderMaps> kernel;
    if (config.ring.reader != "file") {
        auto maps = RingReaderMaps::create(config.pin_dir, log);
        if (maps)
            kernel = std::move(maps).value();
        else if (config.ring.reader == "kernel" || !may_load_bpf())
            return maps.error();
        else
            log.warn(
                "ring path reads the ring files from user space: the kernel's task "
                "iterator did not load (it needs 5.18); counts stay exact, each ring "
                "costs a few preads per tick, and a ring whose file agentmon cannot open "
                "is unreadable",
                {{"error", maps.error().message}});
    }
    RingMetrics metrics(context->registry, context->transport);
    RingTracker tracker(config.ring.file_prefix, config.ring.sample_windows, log,
                        context->tasks->proc_root);
    log.info("ring path attached", {{"file_prefix", config.ring.file_prefix},
                                    {"sample_windows", std::to_string(config.ring.sample_windows)},
                                    {"reader", kernel ? "kernel" : "file"}});
    return std::unique_ptr<RingCollector>(new RingCollector(std::move(kernel), std::move(context),
                                                            std::move(tracker), std::move(metrics),
                                                            config.socket.frame_spec, log));
}

RingObservation RingCollector::observe(TrackedRing& ring, const RingRead& read) {
    RingObservation o;
    o.ring = ring.name;
    o.tick = decode_ring(read, ring.cursor, spec_);
    if (read.status == RING_READ_OK) {
        ring.producer = read.control.producer;
        ring.consumer = read.control.consumer;
        if (read.control.size && read.control.head >= read.control.tail)
            context_->signals->ring_fill[ring.name] =
                double(read.control.head - read.control.tail) / read.control.size;
    }
    o.producer = ring.producer;
    o.consumer = ring.consumer;
    if (o.tick.error != ring.error) {
        // Reported once when the ring enters an error state, and once when it leaves.
        if (!o.tick.error.empty()) {
            o.new_errors.push_back(o.tick.error);
            log_.warn("ring unreadable", {{"ring", ring.name}, {"error", o.tick.error}});
        } else {
            log_.info("ring readable again", {{"ring", ring.name}, {"was", ring.error}});
        }
        ring.error = o.tick.error;
    }
    if (o.tick.bad_records)
        log_.debug("ring records malformed",
                   {{"ring", ring.name}, {"records", std::to_string(o.tick.bad_records)}});
    ring.cursor = o.tick.after;
    torn_windows_ += o.tick.torn_windows;
    return o;
}

Result<std::map<std::uint32_t, RingRead>> RingCollector::read_files(
    const std::vector<RingTarget>& targets) {
    std::map<std::uint32_t, RingRead> reads;
    for (const auto& target : targets)
        if (const TrackedRing* ring = tracker_.by_slot(target.slot))
            reads[target.slot] =
                read_ring_live(ring->file.get(), target.sample_from, target.windows);
    return reads;
}

Status RingCollector::collect(SnapshotBuilder& out) {
    // /proc is read with the scanned root's pids, the kernel is told host pids; a
    // process without a known host pid is not read this tick.
    std::map<std::uint32_t, std::uint32_t> host_pid_of;
    for (const auto& [tid, task] : context_->tasks->tasks)
        if (task.host_pid) host_pid_of[task.pid] = task.host_pid;
    const auto targets = tracker_.discover(host_pid_of);
    auto reads = maps_ ? maps_->read(targets) : read_files(targets);
    if (!reads) return reads.error();

    std::vector<RingObservation> observations;
    for (const auto& target : targets) {
        TrackedRing* ring = tracker_.by_slot(target.slot);
        auto read = reads->find(target.slot);
        if (!ring) continue;
        if (read == reads->end()) {
            ++missed_reads_;  // its process exited since discovery: next tick reads the file
            continue;
        }
        observations.push_back(observe(*ring, read->second));
    }
    std::vector<std::string> closed;
    for (std::uint64_t key : tracker_.closed()) {
        TrackedRing& ring = tracker_.rings().at(key);
        closed.push_back(ring.name);
        if (!ring.file.valid()) continue;
        observations.push_back(
            observe(ring, read_ring_file(ring.file.get(), ring.cursor, monotonic_ns())));
    }
    tracker_.forget_closed();
    metrics_.build(observations, double(monotonic_ns()) * 1e-9, out);
    for (const auto& name : closed) metrics_.forget(name);
    for (const auto& o : observations)
        if (o.tick.error.empty()) {
            auto& depth = context_->signals->by_agent[o.consumer].queue_depth;
            depth = depth.value_or(0) + double(o.tick.depth_frames);
        }
    self_metrics(out, observations.size());
    return Status::success();
}

void RingCollector::self_metrics(SnapshotBuilder& out, std::size_t rings_read) {
    out.add(Family::agentmon_rings_watched, double(rings_read));
    const auto events = maps_ ? maps_->events() : std::array<std::uint64_t, RING_EVENT_COUNT>{};
    const std::pair<const char*, double> failures[] = {
        {"control_dropped", double(events[RING_EVENT_CONTROL_DROPPED])},
        {"window_failed", double(events[RING_EVENT_WINDOWS_FAILED])},
        {"window_torn", double(torn_windows_)},
        {"process_gone", double(missed_reads_)},
        {"no_slot", double(tracker_.unread_total())}};
    for (const auto& [reason, count] : failures)
        out.add(Family::agentmon_ring_read_failures_total, count, {{"reason", reason}});
}

}  // namespace agentmon
