#pragma once
// Which tasks are agents: rules from the config ("agent_rules") matched against
// each process's and thread's comm, executable, command line and cgroup under a
// proc root (injectable, so tests use a fake tree). The default rule takes tasks
// named AG_<TYPE>. Run every tick; new and renamed tasks are found by the next.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace agentmon {

struct AgentRule {
    // Globs (fnmatch); empty = not tested.
    std::string comm, exe, cmdline, cgroup;
    // A type name, or "from_comm": the comm after `comm_prefix` names the type
    // (truncated comms resolve by unique prefix).
    std::string agent_type = "from_comm";
    std::string comm_prefix = "AG_";

    bool needs_process_files() const { return !exe.empty() || !cmdline.empty() || !cgroup.empty(); }
};

std::vector<AgentRule> default_agent_rules();
std::vector<AgentRule> parse_agent_rules(const nlohmann::json& value,
                                         std::vector<std::string>& problems);

struct AgentTask {
    std::uint32_t tid = 0;
    std::uint32_t pid = 0;  // thread group id
    std::string comm;
    std::uint32_t agent_type = 0;  // 1..28
    std::uint32_t agent_id = 0;    // the type's base id
    std::string container;         // container or pod id from the cgroup path, if any
};

// "docker-<id>.scope", "cri-containerd-<id>.scope", ".../pod<uid>/..." -> the id.
std::string container_from_cgroup(const std::string& cgroup_path);

class ProcessDiscovery {
  public:
    ProcessDiscovery(std::vector<AgentRule> rules, std::string proc_root = "/proc")
        : rules_(std::move(rules)), proc_root_(std::move(proc_root)) {}

    // Every agent task now alive, by thread id. Tasks vanishing mid-scan are skipped.
    std::map<std::uint32_t, AgentTask> scan() const;

  private:
    std::vector<AgentRule> rules_;
    std::string proc_root_;
};

}  // namespace agentmon
