#pragma once
// Sampled spans to exemplars (metrics/exemplar_store.h), per span as the span
// forwarder reads them:
//  - a server span (receipt of a request to the send of its reply) is the
//    responder's processing time: agent_processing_time_seconds{agent_type};
//  - a client span and its server span together give the request frame's
//    transport latency, send to receipt (the server span's start minus the
//    client span's): agent_transport_latency_seconds{source_agent,target_agent,
//    carrier}, with the server span's ids.
// The half of a pair seen first waits in a bounded table (the other half closes
// within a tick or two); the oldest waiting half is forgotten when it is full.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>

#include "metrics/exemplar_store.h"
#include "model/agent_registry.h"
#include "tracing/span.h"

namespace agentmon {

class SpanExemplars {
  public:
    // `registry` must outlive this.
    SpanExemplars(std::shared_ptr<ExemplarStore> store, const AgentRegistry& registry,
                  std::size_t max_waiting = 4096)
        : store_(std::move(store)), registry_(registry), max_waiting_(max_waiting) {}

    void offer(const Span& span);

  private:
    void offer_latency(const Span& client, const Span& server);

    std::shared_ptr<ExemplarStore> store_;
    const AgentRegistry& registry_;
    std::size_t max_waiting_;
    // The first half of each pair, by the client span's id (the server span's parent).
    std::unordered_map<std::uint64_t, Span> waiting_;
    std::deque<std::uint64_t> arrival_;  // waiting_'s keys, oldest first
};

}  // namespace agentmon
