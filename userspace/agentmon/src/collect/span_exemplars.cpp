#include "collect/span_exemplars.h"

#include <string>

#include "metrics/family_table.h"

namespace agentmon {

namespace {

double unix_seconds(std::uint64_t unix_ns) { return static_cast<double>(unix_ns) / 1e9; }

}  // namespace

void SpanExemplars::offer(const Span& span) {
    if (!store_) return;
    if (span.server)
        store_->offer(spec(Family::agent_processing_time_seconds).name,
                      {{"agent_type", std::string(registry_.type_name_of(span.responder_id))},
                       {"agent_id", registry_.instance_name(span.responder_id)}},
                      Exemplar{span.trace_id_hex(), span.span_id_hex(), span.duration_seconds(),
                               unix_seconds(span.end_unix_ns)});
    const std::uint64_t client_id = span.server ? span.parent_span_id : span.span_id;
    if (auto other = waiting_.find(client_id); other != waiting_.end()) {
        if (other->second.server != span.server) {
            if (span.server)
                offer_latency(other->second, span);
            else
                offer_latency(span, other->second);
        }
        waiting_.erase(other);  // its id leaves arrival_ as it ages out
        return;
    }
    waiting_.emplace(client_id, span);
    arrival_.push_back(client_id);
    // arrival_ also holds the ids of pairs already matched: bound both.
    while (waiting_.size() > max_waiting_ || arrival_.size() > 2 * max_waiting_) {
        waiting_.erase(arrival_.front());
        arrival_.pop_front();
    }
}

void SpanExemplars::offer_latency(const Span& client, const Span& server) {
    if (server.start_unix_ns < client.start_unix_ns) return;
    store_->offer(spec(Family::agent_transport_latency_seconds).name,
                  {{"source_agent", std::string(registry_.type_name_of(client.requester_id))},
                   {"target_agent", std::string(registry_.type_name_of(server.responder_id))},
                   {"carrier", server.carrier}},
                  Exemplar{server.trace_id_hex(), server.span_id_hex(),
                           static_cast<double>(server.start_unix_ns - client.start_unix_ns) / 1e9,
                           unix_seconds(server.start_unix_ns)});
}

}  // namespace agentmon
