#include "agent_registry.h"

#include <cstring>

#include "socket_trace.h"

namespace agentmon {

namespace {

// DESIGN.md section 1.1, in enum order: index + 1 is the type id.
constexpr std::string_view kAgentTypes[kAgentTypeCount] = {"DIRECTOR",
                                                           "PROJECT_ORCHESTRATOR",
                                                           "SECURITY",
                                                           "SECURITY_CHAOS",
                                                           "TESTBED",
                                                           "TUI",
                                                           "WEB",
                                                           "C_INTERNAL",
                                                           "PYTHON_INTERNAL",
                                                           "MONITOR",
                                                           "OPTIMIZER",
                                                           "PATCHER",
                                                           "PYGUI",
                                                           "RED_TEAM_ORCHESTRATOR",
                                                           "RESEARCHER",
                                                           "DOCGEN",
                                                           "INFRASTRUCTURE",
                                                           "INTEGRATION",
                                                           "LINTER",
                                                           "ML_OPS",
                                                           "MOBILE",
                                                           "CONSTRUCTOR",
                                                           "DATA_SCIENCE",
                                                           "DATABASE",
                                                           "DEBUGGER",
                                                           "DEPLOYER",
                                                           "API_DESIGNER",
                                                           "ARCHITECT"};

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
    switch (carrier) {
        case CARRIER_UNIX:
            return "unix";
        case CARRIER_DGRAM:
            return "dgram";
        case CARRIER_TCP:
            return "tcp";
        case CARRIER_RING:
            return "ring";
    }
    return "other";
}

std::string_view direction_name(std::uint32_t direction) {
    return direction == DIR_SENT ? "sent" : "received";
}

std::string errno_name(int err) {
    if (err == ERRNO_SLOTS - 1) return "OTHER";
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
            return "WALK_TRUNCATED";
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

std::vector<std::uint32_t> AgentRegistry::type_table(std::uint32_t size) const {
    std::vector<std::uint32_t> table(size);
    for (std::uint32_t id = 0; id < size; ++id) table[id] = type_of(id);
    return table;
}

}  // namespace agentmon
