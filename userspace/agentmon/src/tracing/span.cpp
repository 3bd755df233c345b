#include "tracing/span.h"

#include <ctime>

#include "abi/trace_context.h"

namespace agentmon {

std::string hex64(std::uint64_t v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kDigits[v & 0xf];
    return out;
}

std::string Span::trace_id_hex() const { return hex64(trace_id_high) + hex64(trace_id_low); }
std::string Span::span_id_hex() const { return hex64(span_id); }
std::string Span::parent_span_id_hex() const {
    return parent_span_id ? hex64(parent_span_id) : std::string();
}

double Span::duration_seconds() const {
    return end_unix_ns > start_unix_ns ? static_cast<double>(end_unix_ns - start_unix_ns) / 1e9
                                       : 0.0;
}

Span to_span(const span_record& r, const AgentRegistry& registry,
             std::int64_t unix_minus_monotonic_ns) {
    Span s;
    const std::uint64_t client = trace_span_id(r.key.requester, r.key.sequence);
    const std::uint64_t root = r.open.root ? r.open.root : client;
    s.trace_id_high = trace_id_high(root);
    s.trace_id_low = trace_id_low(root);
    s.server = r.key.kind == SPAN_SERVER;
    s.span_id = s.server ? client ^ 1 : client;
    // The server span is the client span's child; the client span is the child of
    // the span its context names (the responder side of the request that caused it).
    s.parent_span_id = s.server ? client : r.open.parent;
    auto wall = [&](std::uint64_t mono) {
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(mono) +
                                          unix_minus_monotonic_ns);
    };
    s.start_unix_ns = wall(r.open.start_ns);
    s.end_unix_ns = wall(r.end_ns);
    s.requester_id = r.key.requester;
    s.responder_id = r.open.responder;
    s.requester = registry.instance_name(r.key.requester);
    s.responder = registry.instance_name(r.open.responder);
    s.requester_type = std::string(registry.type_name_of(r.key.requester));
    s.responder_type = std::string(registry.type_name_of(r.open.responder));
    s.msg_type = msg_type_name(r.open.msg_type);
    s.reply_type = msg_type_name(r.reply_type);
    s.priority = priority_name(r.open.priority);
    s.carrier = std::string(carrier_name(r.open.carrier));
    s.sequence = r.key.sequence;
    s.request_bytes = r.open.request_bytes;
    s.reply_bytes = r.reply_bytes;
    s.pid = r.key.tgid;
    return s;
}

std::int64_t unix_minus_monotonic_ns() {
    timespec real{}, mono{};
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &real);
    return (static_cast<std::int64_t>(real.tv_sec) - mono.tv_sec) * 1000000000LL +
           (real.tv_nsec - mono.tv_nsec);
}

}  // namespace agentmon
