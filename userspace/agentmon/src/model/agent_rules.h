#pragma once
// Which tasks are agents (config "agent_rules"): each rule tests a task's comm and
// its process's executable, command line, cgroup and environment with globs, and
// says which agent type (and optionally id) a match is. Pure: process_discovery
// reads /proc and hands the facts in, so rules are tested without processes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace agentmon {

// The kernel keeps 15 bytes of a task name (TASK_COMM_LEN - 1):
// AG_PROJECT_ORCHESTRATOR shows as AG_PROJECT_ORCH.
inline constexpr std::size_t kCommMax = 15;

struct AgentRule {
    // Globs (fnmatch); empty = not tested.
    std::string comm;     // the task's comm (threads have their own)
    std::string exe;      // target of /proc/<pid>/exe
    std::string cmdline;  // arguments joined by spaces
    std::string cgroup;   // the process's cgroup v2 path
    // The process's effective uid (owner of /proc/<pid>); nullopt = not tested. Unlike
    // comm, which any process may set, a uid cannot be taken by another user.
    std::optional<std::uint32_t> uid;
    // "KEY=VALUE-glob" on /proc/<pid>/environ; env_key empty = not tested.
    std::string env_key, env_value;
    // A type name such as "DIRECTOR", or "from_comm": the comm after `comm_prefix`
    // names the type (a truncated comm resolves by unique prefix).
    std::string agent_type = "from_comm";
    // For "from_comm": the comm glob's literal start unless the rule sets it.
    std::string comm_prefix = "AG_";
    std::uint32_t agent_id = 0;  // 0 = the type's base id (1..28)

    // True when the rule reads more than comm, so a comm match alone is not enough.
    bool needs_process_files() const {
        return !exe.empty() || !cmdline.empty() || !cgroup.empty() || !env_key.empty() ||
               uid.has_value();
    }
};

// The default: tasks named AG_<TYPE>, type from the name.
std::vector<AgentRule> default_agent_rules();

// The config's "agent_rules" list; problems name the rule and field
// ("agent_rules[1].agent_type: ...").
std::vector<AgentRule> parse_agent_rules(const nlohmann::json& value,
                                         std::vector<std::string>& problems);

// What rules may test about a process beyond the task's comm. Discovery fills only
// the parts some rule needs.
struct ProcessFacts {
    std::string exe;
    std::string cmdline;
    std::string cgroup;
    std::vector<std::string> environ;  // "KEY=VALUE" entries
    std::optional<std::uint32_t> uid;  // unknown: a uid rule does not match
};

struct RuleMatch {
    std::uint32_t agent_type = 0;  // 1..28
    std::uint32_t agent_id = 0;
};

// The agent type a comm names after `prefix`: an exact type name wins (AG_SECURITY
// is SECURITY, not SECURITY_CHAOS); a comm cut to 15 bytes resolves by unique
// prefix (AG_PROJECT_ORCH is PROJECT_ORCHESTRATOR). nullopt otherwise.
std::optional<std::uint32_t> type_from_comm(std::string_view comm, std::string_view prefix);

// The comm test alone: discovery's cheap first filter, before any other file is read.
bool comm_matches(const AgentRule& rule, const std::string& comm);

// The rule's verdict on a task; `facts` must hold what needs_process_files() asks for.
std::optional<RuleMatch> match_rule(const AgentRule& rule, const std::string& comm,
                                    const ProcessFacts& facts);

// The first comm-only rule that matches `comm`, for processes the kernel saw take
// an agent's name but that ended before discovery could read their /proc files.
// Rules that test more than comm are skipped: their facts are gone with the process.
std::optional<RuleMatch> match_comm_only(const std::vector<AgentRule>& rules,
                                         const std::string& comm);

// The comm prefix the kernel can watch for on its own (tasks renamed to it are
// agents from their rename on): the prefix of the first comm-only "from_comm"
// rule of the form "<prefix>*", or "" when there is none.
std::string kernel_comm_prefix(const std::vector<AgentRule>& rules);

}  // namespace agentmon
