#include "collection_loop.h"

namespace agentmon {

void CollectionLoop::start() {
    thread_ = std::thread([this] { run(); });
}

void CollectionLoop::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_requested_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CollectionLoop::tick_once() {
    const auto start = std::chrono::steady_clock::now();
    SnapshotBuilder builder;
    for (auto& collector : collectors_) {
        Status status = collector->collect(builder);
        if (!status) {
            exporter_.count_collector_error(std::string(collector->name()));
            log_.warn("collector failed", {{"collector", std::string(collector->name())},
                                           {"error", status.error().message}});
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    exporter_.publish(std::move(builder).build(), seconds);
}

void CollectionLoop::run() {
    log_.info("collection loop started", {{"tick", std::to_string(tick_.count()) + "ms"}});
    auto next = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stop_requested()) {
        lock.unlock();
        tick_once();
        lock.lock();
        // Fixed-rate ticks: a slow tick shortens the next wait instead of drifting;
        // after a tick longer than the interval, the next one starts at once.
        next += tick_;
        const auto now = std::chrono::steady_clock::now();
        if (next < now) next = now;
        wake_.wait_until(lock, next, [this] { return stop_requested(); });
    }
    log_.info("collection loop stopped");
}

}  // namespace agentmon
