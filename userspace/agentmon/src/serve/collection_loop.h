#pragma once
// One thread that runs every collector once per tick, builds a Snapshot and
// publishes it to the Exporter. A collector's error is logged and counted; the
// tick still publishes what the other collectors produced.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "collect/collector.h"
#include "collect/tick_context.h"
#include "serve/exporter.h"

namespace agentmon {

class CollectionLoop {
  public:
    // `context`: what the collectors share in a tick, reset here before the first.
    CollectionLoop(std::vector<std::unique_ptr<Collector>>& collectors,
                   std::shared_ptr<TickContext> context, Exporter& exporter, Logger& log,
                   std::chrono::milliseconds tick)
        : collectors_(collectors),
          context_(std::move(context)),
          exporter_(exporter),
          log_(log),
          tick_(tick) {}
    ~CollectionLoop() { stop(); }
    CollectionLoop(const CollectionLoop&) = delete;
    CollectionLoop& operator=(const CollectionLoop&) = delete;

    void start();
    // Asks the thread to finish its current tick and waits for it.
    void stop();

    // Collectors the config enabled that could not be created: exported as down
    // (agentmon_collector_up 0) on every tick. Call before start().
    void set_failed_at_start(std::vector<std::string> names) {
        failed_at_start_ = std::move(names);
    }

    // Runs every collector once on the calling thread (also used by start()).
    void tick_once();

  private:
    void run();
    bool stop_requested() const { return stop_requested_; }  // caller holds mutex_

    std::vector<std::unique_ptr<Collector>>& collectors_;
    std::shared_ptr<TickContext> context_;
    Exporter& exporter_;
    Logger& log_;
    const std::chrono::milliseconds tick_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_requested_ = false;
    std::thread thread_;
    // CPU time (user + system, this thread) each collector's collect() took so far,
    // by name: what the BPF iterators and /proc reads it makes cost, from the
    // kernel's own accounting of the collection thread.
    std::map<std::string, double> cpu_seconds_;
    // Whether each collector's last collect() succeeded, and the ones that have
    // succeeded at least once: /readyz waits for all of them.
    std::map<std::string, bool> up_;
    std::set<std::string> ticked_;
    std::vector<std::string> failed_at_start_;
};

}  // namespace agentmon
