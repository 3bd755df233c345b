#pragma once
// The transport counters' dense label index, which the socket and ring paths
// both key their frame counts by (transport_sink.h interns it).
#include <cstdint>
#include <string>
#include <string_view>

#include "kernel/socket_reading.h"
#include "metrics/series_budget.h"

namespace agentmon {

// The transport counters' label space as a dense index: agent types (0..28),
// msg_type (1..15, 0 for any other value), priority (0..5, 6 for any other),
// carrier, direction.
inline constexpr std::uint64_t kTransportMsgTypeKeys = 16, kTransportPriorityKeys = 7;
inline constexpr std::uint64_t kTransportLabelKeys =
    std::uint64_t{AGENT_TYPE_SLOTS} * AGENT_TYPE_SLOTS * kTransportMsgTypeKeys *
    kTransportPriorityKeys * CARRIER_COUNT * DIR_COUNT;

std::string str(std::string_view s);

// A frame's position in the transport label space (kTransportLabelKeys): agent
// types 0..28, msg_type, priority, carrier, direction.
std::uint64_t label_key(std::uint32_t source_type, std::uint32_t target_type,
                        std::uint32_t msg_type, std::uint32_t priority, std::uint32_t carrier,
                        std::uint32_t direction);
// The label set of a label_key.
LabelSet transport_labels(std::uint64_t key);

}  // namespace agentmon
