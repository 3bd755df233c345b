#pragma once
// Names for labels: agent ids to agent types and instance names (docs/transport.md:
// ids 1..28 are the 28 types in enum order, larger ids are further instances,
// id = type + 28 x instance, unless the config's registry names them), and the
// names of message types, priorities, carriers, directions and errors. Labels
// carry these names, never raw numbers.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace agentmon {

inline constexpr std::uint32_t kAgentTypeCount = 28;

// "DIRECTOR" for type 1 ... "ARCHITECT" for type 28; "unknown" otherwise.
std::string_view agent_type_name(std::uint32_t type);
// 1..28 for an exact type name, nullopt otherwise.
std::optional<std::uint32_t> agent_type_by_name(std::string_view name);
// An exact name, else the one type `name` is a prefix of (PROJECT_ORCH ->
// PROJECT_ORCHESTRATOR); nullopt when none or several are. agent_rules'
// type_from_comm uses it only for comms the kernel may have cut to 15 bytes.
std::optional<std::uint32_t> agent_type_by_prefix(std::string_view name);

std::string msg_type_name(std::uint32_t msg_type);  // REQUEST ... EMERGENCY, else "other"
std::string priority_name(std::uint32_t priority);  // CRITICAL ... BACKGROUND, else "other"
std::string_view carrier_name(std::uint32_t carrier);
std::string_view direction_name(std::uint32_t direction);
// "EPIPE", "ECONNRESET", ...; "E<n>" when unnamed; "OTHER" for the kernel's clamp
// slot (ERRNO_SLOTS - 1 and above).
std::string errno_name(int err);
// "MALFORMED", "TRUNCATED", "FRAMES_MAP_FULL", ... for enum walk_event.
std::string_view walk_event_name(std::uint32_t event);

// One config "agents" entry: {"id": 29, "type": "DIRECTOR", "name": "director-eu"}.
struct RegistryEntry {
    std::uint32_t id = 0;
    std::uint32_t type = 0;  // 1..28
    std::string name;        // instance name; empty = derived
};

// The config's "agents" list; problems name the entry and field ("agents[2].type: ...").
std::vector<RegistryEntry> parse_agent_registry(const nlohmann::json& value,
                                                std::vector<std::string>& problems);

class AgentRegistry {
  public:
    explicit AgentRegistry(std::vector<RegistryEntry> entries = {});

    // 1..28, or 0 for id 0.
    std::uint32_t type_of(std::uint32_t id) const;
    std::string_view type_name_of(std::uint32_t id) const { return agent_type_name(type_of(id)); }
    // DIRECTOR for id 1, DIRECTOR_1 for id 29, or the registry's name.
    std::string instance_name(std::uint32_t id) const;
    // type_of(id) for ids 0..size-1: the kernel's agent_type array (size
    // AGENT_ID_TYPE_MAX), which gives latency histograms their agent types.
    std::vector<std::uint32_t> type_table(std::uint32_t size) const;

  private:
    std::map<std::uint32_t, RegistryEntry> entries_;
};

}  // namespace agentmon
