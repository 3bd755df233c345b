#pragma once
// Builds the collectors `agentmon run` drives. This is where later stages add the
// socket and ring collectors: create them here (open, configure, load, attach),
// return an Error to stop start-up with a message, and expose their programs
// through Collector::programs() so their run-time stats are exported.
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "collect/collector.h"
#include "collect/tick_context.h"
#include "config/config.h"

namespace agentmon {

using CollectorSet = std::vector<std::unique_ptr<Collector>>;

struct CollectorStart {
    std::unique_ptr<CollectorSet> set;
    // Kernel-path collectors (socket, ring, agents) the config enabled, by the
    // name their collector would have had, that could not load or attach.
    std::vector<std::string> failed;
    std::size_t kernel_attached = 0;  // kernel-path collectors running
};

// The returned set must outlive nothing it is given; destroying it detaches every
// BPF link the collectors hold. `context` is the loop's: the collectors read and
// write it each tick. A kernel-path collector that cannot start is left out and
// named in `failed` (the caller decides whether running without it is allowed).
Result<CollectorStart> create_collectors(const Config& config,
                                         const std::shared_ptr<TickContext>& context, Logger& log);

}  // namespace agentmon
