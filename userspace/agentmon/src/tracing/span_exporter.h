#pragma once
// Exports spans over OTLP/HTTP (JSON) on a thread of its own. offer() only moves
// spans into a bounded queue under a short lock and never waits for the network:
// a full queue drops the new spans and counts them (queue_full). The thread sends
// batches with libcurl, retries a failed batch with exponential backoff (on
// connection errors, timeouts, 429, 502, 503 and 504), and gives a batch up after
// the last attempt (export_failed). So a slow, failing or absent endpoint costs the
// collection loop nothing and memory stays bounded by the queue.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tracing/span.h"

namespace agentmon {

struct SpanExporterOptions {
    std::string endpoint;  // e.g. http://127.0.0.1:4318/v1/traces
    std::size_t queue_spans = 16384;
    std::size_t batch_spans = 512;
    std::chrono::milliseconds flush_interval{500};  // a partial batch waits at most this
    std::chrono::milliseconds request_timeout{2000};
    std::chrono::milliseconds first_backoff{100};
    std::chrono::milliseconds max_backoff{2000};
    int attempts = 5;  // per batch, the first included
};

class SpanExporter {
  public:
    explicit SpanExporter(SpanExporterOptions options);
    ~SpanExporter();  // stops the thread; spans still queued are not sent
    SpanExporter(const SpanExporter&) = delete;
    SpanExporter& operator=(const SpanExporter&) = delete;

    // Queues spans for export; never blocks on the network.
    void offer(std::vector<Span> spans);

    std::uint64_t exported() const { return exported_.load(std::memory_order_relaxed); }
    std::uint64_t queue_full() const { return queue_full_.load(std::memory_order_relaxed); }
    std::uint64_t export_failed() const { return export_failed_.load(std::memory_order_relaxed); }
    std::size_t queued() const;

  private:
    enum class Sent { ok, retry, rejected };
    void run();
    Sent post(const std::string& body, std::string& detail) const;
    // Waits up to `d` unless stopping; returns false when stopping.
    bool pause(std::chrono::milliseconds d);

    SpanExporterOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Span> queue_;
    bool stop_ = false;
    std::atomic<std::uint64_t> exported_{0}, queue_full_{0}, export_failed_{0};
    std::thread thread_;
};

}  // namespace agentmon
