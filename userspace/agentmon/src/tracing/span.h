#pragma once
// One span of a sampled request, as OTLP describes it: the kernel's span_record
// (bpf/abi/socket_trace.h) with its ids derived (bpf/abi/trace_context.h), its
// times on the wall clock and its agents named through the registry.
#include <cstdint>
#include <string>

#include "abi/socket_trace.h"
#include "model/agent_registry.h"

namespace agentmon {

struct Span {
    std::uint64_t trace_id_high = 0, trace_id_low = 0;
    std::uint64_t span_id = 0;
    std::uint64_t parent_span_id = 0;  // 0: a root span
    bool server = false;               // SPAN_SERVER: the responder's side
    std::uint64_t start_unix_ns = 0, end_unix_ns = 0;
    std::uint32_t requester_id = 0, responder_id = 0;
    std::string requester, responder;  // agent instance names
    // Their agent types, as the metrics' agent_type / source_agent labels name them
    // (for exemplars on agent_processing_time_seconds and the transport histograms).
    std::string requester_type, responder_type;
    std::string msg_type, reply_type, priority, carrier;
    std::uint64_t sequence = 0;
    std::uint32_t request_bytes = 0, reply_bytes = 0;
    std::uint32_t pid = 0;  // the process that sent (client) or received (server) the request

    std::string trace_id_hex() const;  // 32 lowercase hex digits
    std::string span_id_hex() const;   // 16
    std::string parent_span_id_hex() const;
    double duration_seconds() const;
    // The agent whose work the span is: the requester (client) or the responder.
    const std::string& service() const { return server ? responder : requester; }
};

std::string hex64(std::uint64_t v);

// `unix_minus_monotonic_ns`: CLOCK_REALTIME minus CLOCK_MONOTONIC now, to move the
// kernel's bpf_ktime_get_ns() times onto the wall clock.
Span to_span(const span_record& r, const AgentRegistry& registry,
             std::int64_t unix_minus_monotonic_ns);

// CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns.
std::int64_t unix_minus_monotonic_ns();

}  // namespace agentmon
