#include "serve/collection_loop.h"

#include <ctime>

namespace agentmon {

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

}  // namespace

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
    context_->begin_tick();
    for (auto& collector : collectors_) {
        const double cpu_before = thread_cpu_seconds();
        Status status = collector->collect(builder);
        const std::string name(collector->name());
        cpu_seconds_[name] += thread_cpu_seconds() - cpu_before;
        up_[name] = bool(status);
        if (status) ticked_.insert(name);
        if (!status) {
            exporter_.count_collector_error(std::string(collector->name()));
            log_.warn("collector failed", {{"collector", std::string(collector->name())},
                                           {"error", status.error().message}});
        }
    }
    // The tick's merge into the snapshot (the shared families, the budget) and its
    // build are the collection thread's too: counted as "snapshot", a tick late
    // (its own figure is only known once the snapshot is built).
    const double merge_before = thread_cpu_seconds();
    context_->end_tick(builder, log_);
    for (const auto& [name, cpu] : cpu_seconds_)
        builder.add(Family::agentmon_collector_cpu_seconds_total, cpu, {{"collector", name}});
    for (const auto& name : failed_at_start_) up_[name] = false;
    for (const auto& [name, up] : up_)
        builder.add(Family::agentmon_collector_up, up ? 1 : 0, {{"collector", name}});
    // Ready once every running collector has completed a tick: a first scrape then
    // sees every path's figures, not a snapshot some collector has not filled yet.
    // One that could not start is not waited for (it never will); its up gauge of
    // 0 and AgentmonCollectorDown say so instead.
    const bool all_ticked = ticked_.size() == collectors_.size();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto snapshot = std::move(builder).build();
    cpu_seconds_["snapshot"] += thread_cpu_seconds() - merge_before;
    exporter_.publish(std::move(snapshot), seconds, all_ticked);
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
