#include "tracing/span_exporter.h"

#include <curl/curl.h>

#include <algorithm>

#include "tracing/otlp_json.h"

namespace agentmon {

namespace {

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// The statuses OTLP/HTTP says to retry.
bool retryable(long status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

}  // namespace

SpanExporter::SpanExporter(SpanExporterOptions options) : options_(std::move(options)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    thread_ = std::thread([this] { run(); });
}

SpanExporter::~SpanExporter() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SpanExporter::offer(std::vector<Span> spans) {
    if (spans.empty()) return;
    std::size_t dropped = 0;
    bool full_batch = false;
    {
        std::lock_guard lock(mutex_);
        for (auto& s : spans) {
            if (queue_.size() >= options_.queue_spans) {
                ++dropped;
                continue;
            }
            queue_.push_back(std::move(s));
        }
        full_batch = queue_.size() >= options_.batch_spans;
    }
    if (dropped) queue_full_.fetch_add(dropped, std::memory_order_relaxed);
    if (full_batch) wake_.notify_one();
}

std::size_t SpanExporter::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

bool SpanExporter::pause(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, d, [this] { return stop_; });
}

void SpanExporter::run() {
    for (;;) {
        std::vector<Span> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, options_.flush_interval,
                           [this] { return stop_ || queue_.size() >= options_.batch_spans; });
            if (stop_) return;
            const std::size_t n = std::min(queue_.size(), options_.batch_spans);
            batch.assign(std::make_move_iterator(queue_.begin()),
                         std::make_move_iterator(queue_.begin() + static_cast<long>(n)));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
        }
        if (batch.empty()) continue;
        const std::string body = otlp_json(batch);
        auto backoff = options_.first_backoff;
        bool done = false;
        for (int attempt = 1; attempt <= options_.attempts && !done; ++attempt) {
            std::string detail;
            const Sent sent = post(body, detail);
            if (sent == Sent::ok) {
                exported_.fetch_add(batch.size(), std::memory_order_relaxed);
                done = true;
            } else if (sent == Sent::rejected) {
                break;
            } else if (attempt < options_.attempts) {
                if (!pause(backoff)) return;
                backoff = std::min(backoff * 2, options_.max_backoff);
            }
        }
        if (!done) export_failed_.fetch_add(batch.size(), std::memory_order_relaxed);
    }
}

SpanExporter::Sent SpanExporter::post(const std::string& body, std::string& detail) const {
    CURL* curl = curl_easy_init();
    if (!curl) return Sent::retry;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, options_.endpoint.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
        detail = curl_easy_strerror(rc);
        return Sent::retry;
    }
    detail = "HTTP " + std::to_string(status);
    if (status >= 200 && status < 300) return Sent::ok;
    return retryable(status) ? Sent::retry : Sent::rejected;
}

}  // namespace agentmon
