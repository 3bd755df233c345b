#include "metrics/label_selection.h"

#include "abi/socket_trace.h"

namespace agentmon {

namespace {

bool always_kept(const std::string& label) { return label == "carrier" || label == "direction"; }

}  // namespace

const std::vector<SelectableFamily>& selectable_families() {
    static const std::vector<SelectableFamily> families = {
        {"agent_transport_messages_total",
         {"source_agent", "target_agent", "msg_type", "priority", "carrier", "direction"}},
        {"agent_transport_bytes_total",
         {"source_agent", "target_agent", "msg_type", "priority", "carrier", "direction"}},
        {"agent_transport_latency_seconds", {"source_agent", "target_agent", "carrier"}},
        {"agent_transport_message_size_bytes", {"msg_type", "carrier", "direction"}},
        {"message_flow_matrix", {"source_agent", "target_agent"}},
        // Per instance by default (the dashboards read agent_id); ["agent_type"]
        // sums the instances of a type into one series, as before agent_id.
        {"agent_messages_processed_total", {"agent_type", "agent_id"}},
        {"agent_processing_time_seconds", {"agent_type", "agent_id"}},
    };
    return families;
}

LabelSelection LabelSelection::defaults() {
    // Sized for 28 agent types, all 784 ordered pairs, four carriers (the demo), and
    // chosen from what the shipped rules and dashboards query:
    //  - frames by sending type, message type and priority (per carrier and
    //    direction): 28 x about 12 (type, priority) pairs x 8 = 2 688 series; the
    //    per-pair flow is message_flow_matrix (784);
    //  - bytes by sending type: 28 x 8 = 224;
    //  - latency by receiving type and carrier: 28 x 4 x 25 = 2 800 (buckets
    //    included): which agent is slow to reach, and over which carrier;
    //  - sizes keep their full key (msg_type, carrier, direction).
    // The full key of any of them is one config line away ("labels": {"<family>": "all"}).
    LabelSelection s;
    s.keep("agent_transport_messages_total", {"source_agent", "msg_type", "priority"});
    s.keep("agent_transport_bytes_total", {"source_agent"});
    s.keep("agent_transport_latency_seconds", {"target_agent"});
    return s;
}

void LabelSelection::keep(const std::string& family, std::set<std::string> labels) {
    kept_[family] = std::move(labels);
}

LabelSet LabelSelection::project(std::string_view family, const LabelSet& labels) const {
    auto it = kept_.find(family);
    if (it == kept_.end()) return labels;
    LabelSet out;
    for (const auto& [key, value] : labels)
        if (always_kept(key) || it->second.count(key)) out.emplace(key, value);
    return out;
}

std::vector<std::string> LabelSelection::kept(const std::string& family) const {
    std::vector<std::string> out;
    for (const auto& f : selectable_families()) {
        if (f.name != family) continue;
        auto it = kept_.find(family);
        for (const auto& label : f.labels)
            if (it == kept_.end() || always_kept(label) || it->second.count(label))
                out.push_back(label);
    }
    return out;
}

std::uint32_t frame_key_keep(const LabelSelection& labels) {
    std::uint32_t keep = 0;
    for (const char* family : {"agent_transport_messages_total", "agent_transport_bytes_total"})
        for (const auto& label : labels.kept(family)) {
            if (label == "source_agent") keep |= KEEP_SOURCE;
            if (label == "target_agent") keep |= KEEP_TARGET;
            if (label == "msg_type") keep |= KEEP_MSG_TYPE;
            if (label == "priority") keep |= KEEP_PRIORITY;
        }
    return keep;
}

}  // namespace agentmon
