#include "model/agent_registry.h"

#include <cstring>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "abi/socket_trace.h"
#include "agent_types.h"
#include "base/enum_names.h"

namespace agentmon {

namespace {

// The types of docs/transport.md "Agent ids", in enum order (index + 1 is the type
// id): the wire contract's table, the one the reference bus uses too.
constexpr const auto& kAgentTypes = agen::kAgentTypeNames;
static_assert(agen::kAgentTypeCount == kAgentTypeCount);

constexpr std::string_view kMsgTypes[] = {
    "",         "REQUEST",  "RESPONSE", "BROADCAST",  "HEARTBEAT",    "ACK",           "ERROR",
    "VETO",     "TASK",     "RESULT",   "STATE_SYNC", "RESOURCE_REQ", "RESOURCE_RESP", "DISCOVERY",
    "SHUTDOWN", "EMERGENCY"};

constexpr std::string_view kPriorities[] = {"CRITICAL", "HIGH",  "NORMAL",
                                            "LOW",      "BATCH", "BACKGROUND"};

}  // namespace

std::string_view agent_type_name(std::uint32_t type) {
    return type >= 1 && type <= kAgentTypeCount ? kAgentTypes[type - 1] : "unknown";
}

std::optional<std::uint32_t> agent_type_by_name(std::string_view name) {
    for (std::uint32_t i = 0; i < kAgentTypeCount; ++i)
        if (kAgentTypes[i] == name) return i + 1;
    return std::nullopt;
}

std::optional<std::uint32_t> agent_type_by_prefix(std::string_view name) {
    if (auto exact = agent_type_by_name(name)) return exact;
    if (name.empty()) return std::nullopt;
    std::optional<std::uint32_t> found;
    for (std::uint32_t i = 0; i < kAgentTypeCount; ++i) {
        if (kAgentTypes[i].substr(0, name.size()) != name) continue;
        if (found) return std::nullopt;  // ambiguous
        found = i + 1;
    }
    return found;
}

std::string msg_type_name(std::uint32_t msg_type) {
    return msg_type >= 1 && msg_type <= 15 ? std::string(kMsgTypes[msg_type]) : "other";
}

std::string priority_name(std::uint32_t priority) {
    return priority <= 5 ? std::string(kPriorities[priority]) : "other";
}

std::string_view carrier_name(std::uint32_t carrier) {
    // In the order of bpf/abi/socket_trace.h's CARRIER_* values.
    constexpr std::string_view kNames[] = {"unix", "dgram", "tcp", "ring"};
    static_assert(std::size(kNames) == CARRIER_COUNT && CARRIER_UNIX == 0 && CARRIER_DGRAM == 1 &&
                  CARRIER_TCP == 2 && CARRIER_RING == 3);
    return enum_name(carrier, kNames, "other");
}

std::string_view direction_name(std::uint32_t direction) {
    return direction == DIR_SENT ? "sent" : "received";
}

std::string errno_name(int err) {
    // The kernel clamps larger errnos into the last slot; no errno there is real.
    if (err >= ERRNO_SLOTS - 1) return "OTHER";
    if (const char* name = strerrorname_np(err)) return name;
    return "E" + std::to_string(err);
}

std::string_view walk_event_name(std::uint32_t event) {
    switch (event) {
        case WALK_MALFORMED:
            return "MALFORMED";
        case WALK_MALFORMED_BYTES:
            return "MALFORMED_BYTES";
        case WALK_TRUNCATED:
            return "TRUNCATED";
        case WALK_READ_FAILED:
            return "READ_FAILED";
        case WALK_FRAMES_MAP_FULL:
            return "FRAMES_MAP_FULL";
        case WALK_CONN_STATE_FAILED:
            return "CONN_STATE_FAILED";
        case WALK_UNSUPPORTED_SYSCALL:
            return "UNSUPPORTED_SYSCALL";
        case WALK_WATCHED_FULL:
            return "WATCHED_MAP_FULL";
        case WALK_RCVQ_DROPS:
            return "RCVQ_DROPS";
        case WALK_SPOOFED_SOURCE:
            return "SPOOFED_SOURCE";
        case WALK_REQUESTS_MAP_FULL:
            return "REQUESTS_MAP_FULL";
        case WALK_INTRUDERS_MAP_FULL:
            return "INTRUDERS_MAP_FULL";
        case WALK_LABEL_QUOTA:
            return "LABEL_QUOTA";
    }
    return "unknown";
}

AgentRegistry::AgentRegistry(std::vector<RegistryEntry> entries) {
    for (auto& e : entries) entries_[e.id] = std::move(e);
}

std::uint32_t AgentRegistry::type_of(std::uint32_t id) const {
    if (auto it = entries_.find(id); it != entries_.end()) return it->second.type;
    return id == 0 ? 0 : (id - 1) % kAgentTypeCount + 1;
}

std::string AgentRegistry::instance_name(std::uint32_t id) const {
    if (auto it = entries_.find(id); it != entries_.end() && !it->second.name.empty())
        return it->second.name;
    std::string type(type_name_of(id));
    if (id == 0 || id <= kAgentTypeCount) return type;
    return type + "_" + std::to_string((id - 1) / kAgentTypeCount);
}

std::vector<RegistryEntry> parse_agent_registry(const nlohmann::json& value,
                                                std::vector<std::string>& problems) {
    std::vector<RegistryEntry> entries;
    if (!value.is_array()) {
        problems.push_back(
            "agents: expected a list like [{\"id\": 29, \"type\": \"DIRECTOR\", "
            "\"name\": \"director-eu\"}], got " +
            value.dump());
        return entries;
    }
    std::set<std::uint32_t> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto& a = value[i];
        const std::string where = "agents[" + std::to_string(i) + "]";
        if (!a.is_object()) {
            problems.push_back(where +
                               ": expected {\"id\": N, \"type\": \"DIRECTOR\", "
                               "\"name\": ...}, got " +
                               a.dump());
            continue;
        }
        RegistryEntry entry;
        bool ok = true;
        for (const auto& [key, v] : a.items())
            if (key != "id" && key != "type" && key != "name") {
                problems.push_back(where + "." + key + ": unknown key; known keys: id, type, name");
                ok = false;
            }
        if (!a.contains("id") || !a.at("id").is_number_unsigned() ||
            a.at("id").get<std::uint64_t>() == 0 ||
            a.at("id").get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
            problems.push_back(where + ".id: expected an agent id from 1 to 4294967295, got " +
                               (a.contains("id") ? a.at("id").dump() : "nothing"));
            ok = false;
        } else {
            entry.id = a.at("id").get<std::uint32_t>();
            if (!seen.insert(entry.id).second) {
                problems.push_back(where + ".id: " + std::to_string(entry.id) +
                                   " is already listed");
                ok = false;
            }
        }
        auto type = a.contains("type") && a.at("type").is_string()
                        ? agent_type_by_name(a.at("type").get<std::string>())
                        : std::nullopt;
        if (!type) {
            problems.push_back(where +
                               ".type: expected one of the 28 agent type names (DIRECTOR "
                               "... ARCHITECT), got " +
                               (a.contains("type") ? a.at("type").dump() : "nothing"));
            ok = false;
        } else {
            entry.type = *type;
            // The kernel gives latency histograms their types from a table of ids
            // below AGENT_ID_TYPE_MAX and the id arithmetic above it: a different
            // type up there would split one agent between two type labels.
            if (entry.id >= AGENT_ID_TYPE_MAX &&
                entry.type != (entry.id - 1) % kAgentTypeCount + 1) {
                problems.push_back(
                    where + ".type: ids from " + std::to_string(AGENT_ID_TYPE_MAX) +
                    " up keep their arithmetic type (" +
                    std::string(agent_type_name((entry.id - 1) % kAgentTypeCount + 1)) + " for " +
                    std::to_string(entry.id) + "); use an id below " +
                    std::to_string(AGENT_ID_TYPE_MAX) + " to give another type");
                ok = false;
            }
        }
        if (a.contains("name")) {
            if (a.at("name").is_string() && !a.at("name").get<std::string>().empty())
                entry.name = a.at("name").get<std::string>();
            else {
                problems.push_back(where + ".name: expected a non-empty string");
                ok = false;
            }
        }
        if (ok) entries.push_back(std::move(entry));
    }
    return entries;
}

std::vector<std::uint32_t> AgentRegistry::type_table(std::uint32_t size) const {
    std::vector<std::uint32_t> table(size);
    for (std::uint32_t id = 0; id < size; ++id) table[id] = type_of(id);
    return table;
}

}  // namespace agentmon
