#pragma once
// A collection loop over test collectors, as `agentmon run` wires it: a tick
// context, an exporter with a fixed build, and a log that keeps quiet.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <vector>

#include "collect/tick_context.h"
#include "serve/collection_loop.h"
#include "serve/exporter.h"

using namespace agentmon;

namespace {

inline BuildInfo test_build() { return {"0.1.0", "abc1234", "1.1", "6.18.0"}; }

struct LoopRig {
    explicit LoopRig(
        std::shared_ptr<TickContext> tick_context = std::make_shared<TickContext>(Config{}))
        : context(std::move(tick_context)) {}

    // The loop over `collectors` as they are now; add them first.
    std::unique_ptr<CollectionLoop> loop(std::chrono::milliseconds tick = std::chrono::seconds(1)) {
        return std::make_unique<CollectionLoop>(collectors, context, exporter, log, tick);
    }

    std::shared_ptr<TickContext> context;
    Exporter exporter{test_build()};
    std::vector<std::unique_ptr<Collector>> collectors;
    std::ostringstream log_text;
    Logger log{LogLevel::error, LogFormat::text, log_text};
};

}  // namespace
