#include "metrics/transport_families.h"

#include "model/agent_registry.h"

namespace agentmon {

std::string str(std::string_view s) { return std::string(s); }

// A frame key's position in the transport label space (kTransportLabelKeys).
std::uint64_t label_key(std::uint32_t source_type, std::uint32_t target_type,
                        std::uint32_t msg_type, std::uint32_t priority, std::uint32_t carrier,
                        std::uint32_t direction) {
    const std::uint64_t msg = msg_type >= 1 && msg_type <= 15 ? msg_type : 0;
    const std::uint64_t prio = priority <= 5 ? priority : 6;
    // The kernel writes only valid values; the clamps keep a bad one in bounds.
    auto below = [](std::uint64_t v, std::uint64_t n) { return v < n ? v : n - 1; };
    std::uint64_t key = below(source_type, AGENT_TYPE_SLOTS);
    key = key * AGENT_TYPE_SLOTS + below(target_type, AGENT_TYPE_SLOTS);
    key = key * kTransportMsgTypeKeys + msg;
    key = key * kTransportPriorityKeys + prio;
    key = key * CARRIER_COUNT + below(carrier, CARRIER_COUNT);
    return key * DIR_COUNT + below(direction, DIR_COUNT);
}

LabelSet transport_labels(std::uint64_t key) {
    auto next = [&key](std::uint64_t n) {
        const auto v = static_cast<std::uint32_t>(key % n);
        key /= n;
        return v;
    };
    const std::uint32_t direction = next(DIR_COUNT), carrier = next(CARRIER_COUNT);
    const std::uint32_t priority = next(kTransportPriorityKeys),
                        msg_type = next(kTransportMsgTypeKeys);
    const std::uint32_t target = next(AGENT_TYPE_SLOTS), source = next(AGENT_TYPE_SLOTS);
    return {{"source_agent", str(agent_type_name(source))},
            {"target_agent", str(agent_type_name(target))},
            {"msg_type", msg_type_name(msg_type)},
            {"priority", priority_name(priority)},
            {"carrier", str(carrier_name(carrier))},
            {"direction", str(direction_name(direction))}};
}

}  // namespace agentmon
