// The 28 agent types (docs/transport.md). Ids 1..28 are the types in enum order;
// larger ids are further instances: id = type + 28 * instance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agen {

inline constexpr uint32_t kAgentTypeCount = 28;
inline constexpr std::string_view kAgentTypeNames[kAgentTypeCount] = {"DIRECTOR",
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

// Type number 1..28 of an agent id (id >= 1).
inline constexpr uint32_t agent_type_of(uint32_t id) { return (id - 1) % kAgentTypeCount + 1; }
// Instance number: 0 for ids 1..28, 1 for 29..56, ...
inline constexpr uint32_t agent_instance_of(uint32_t id) { return (id - 1) / kAgentTypeCount; }
inline constexpr std::string_view agent_type_name(uint32_t id) {
    return id == 0 ? std::string_view("UNKNOWN") : kAgentTypeNames[agent_type_of(id) - 1];
}
// Unique name of an agent: the type name, with "_<instance>" for instances > 0.
inline std::string agent_name(uint32_t id) {
    std::string n(agent_type_name(id));
    if (id != 0 && agent_instance_of(id) > 0) n += "_" + std::to_string(agent_instance_of(id));
    return n;
}

}  // namespace agen
