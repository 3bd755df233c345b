#include "process_discovery.h"

#include <dirent.h>
#include <fnmatch.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "agent_registry.h"

namespace agentmon {

namespace {

std::string read_first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::uint32_t> numeric_entries(const std::string& dir) {
    std::vector<std::uint32_t> out;
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        char* end = nullptr;
        unsigned long n = std::strtoul(e->d_name, &end, 10);
        if (end && *end == '\0' && e->d_name[0] != '\0')
            out.push_back(static_cast<std::uint32_t>(n));
    }
    closedir(d);
    return out;
}

bool glob(const std::string& pattern, const std::string& text) {
    return pattern.empty() || fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// What a rule may test about a process, read once per process and scan.
struct ProcessFiles {
    std::string exe, cmdline, cgroup;
};

ProcessFiles read_process_files(const std::string& dir) {
    ProcessFiles f;
    char buf[4096];
    ssize_t n = readlink((dir + "/exe").c_str(), buf, sizeof(buf) - 1);
    if (n > 0) f.exe.assign(buf, static_cast<std::size_t>(n));
    f.cmdline = read_all(dir + "/cmdline");
    for (auto& c : f.cmdline)
        if (c == '\0') c = ' ';
    while (!f.cmdline.empty() && f.cmdline.back() == ' ') f.cmdline.pop_back();
    // cgroup v2: "0::/path"; the last line is the unified hierarchy.
    std::istringstream lines(read_all(dir + "/cgroup"));
    for (std::string line; std::getline(lines, line);)
        if (auto colon = line.rfind(':'); colon != std::string::npos)
            f.cgroup = line.substr(colon + 1);
    return f;
}

std::optional<std::uint32_t> type_for(const AgentRule& rule, const std::string& comm) {
    if (rule.agent_type != "from_comm") return agent_type_by_name(rule.agent_type);
    if (comm.rfind(rule.comm_prefix, 0) != 0) return std::nullopt;
    return agent_type_by_prefix(comm.substr(rule.comm_prefix.size()));
}

}  // namespace

std::vector<AgentRule> default_agent_rules() {
    AgentRule rule;
    rule.comm = "AG_*";
    return {rule};
}

std::vector<AgentRule> parse_agent_rules(const nlohmann::json& value,
                                         std::vector<std::string>& problems) {
    std::vector<AgentRule> rules;
    if (!value.is_array()) {
        problems.push_back("agent_rules: expected a list of rules, got " + value.dump());
        return default_agent_rules();
    }
    static const std::vector<std::string> known = {"comm",   "exe",        "cmdline",
                                                   "cgroup", "agent_type", "comm_prefix"};
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto& r = value[i];
        std::string where = "agent_rules[" + std::to_string(i) + "]";
        if (!r.is_object()) {
            problems.push_back(where + ": expected an object");
            continue;
        }
        AgentRule rule;
        rule.comm.clear();
        for (const auto& [key, v] : r.items()) {
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                problems.push_back(where + "." + key + ": unknown key");
                continue;
            }
            if (!v.is_string()) {
                problems.push_back(where + "." + key + ": expected a string");
                continue;
            }
            std::string s = v.get<std::string>();
            if (key == "comm") rule.comm = s;
            if (key == "exe") rule.exe = s;
            if (key == "cmdline") rule.cmdline = s;
            if (key == "cgroup") rule.cgroup = s;
            if (key == "agent_type") rule.agent_type = s;
            if (key == "comm_prefix") rule.comm_prefix = s;
        }
        if (rule.comm.empty() && !rule.needs_process_files())
            problems.push_back(where + ": needs at least one of comm, exe, cmdline, cgroup");
        if (rule.agent_type != "from_comm" && !agent_type_by_name(rule.agent_type))
            problems.push_back(where + ".agent_type: \"" + rule.agent_type +
                               "\" is neither \"from_comm\" nor one of the 28 agent types");
        rules.push_back(rule);
    }
    return rules;
}

std::string container_from_cgroup(const std::string& path) {
    auto after = [&](const std::string& marker, std::size_t len) -> std::string {
        auto at = path.rfind(marker);
        if (at == std::string::npos) return {};
        std::string id = path.substr(at + marker.size(), len);
        return id.size() == len ? id : std::string{};
    };
    for (const char* marker : {"docker-", "cri-containerd-", "crio-", "libpod-"})
        if (auto id = after(marker, 64); !id.empty()) return id;
    if (auto at = path.find("/pod"); at != std::string::npos) {
        auto end = path.find_first_of("/.", at + 4);
        return path.substr(at + 4, end == std::string::npos ? std::string::npos : end - at - 4);
    }
    return {};
}

std::map<std::uint32_t, AgentTask> ProcessDiscovery::scan() const {
    std::map<std::uint32_t, AgentTask> agents;
    bool any_needs_files = false;
    for (const auto& r : rules_) any_needs_files |= r.needs_process_files();
    for (std::uint32_t pid : numeric_entries(proc_root_)) {
        std::string pdir = proc_root_ + "/" + std::to_string(pid);
        std::optional<ProcessFiles> files;
        for (std::uint32_t tid : numeric_entries(pdir + "/task")) {
            std::string comm = read_first_line(pdir + "/task/" + std::to_string(tid) + "/comm");
            if (comm.empty()) continue;  // gone meanwhile
            for (const auto& rule : rules_) {
                if (!glob(rule.comm, comm)) continue;
                if (rule.needs_process_files() || any_needs_files) {
                    if (!files) files = read_process_files(pdir);
                    if (!glob(rule.exe, files->exe) || !glob(rule.cmdline, files->cmdline) ||
                        !glob(rule.cgroup, files->cgroup))
                        continue;
                }
                auto type = type_for(rule, comm);
                if (!type) continue;
                AgentTask task{tid, pid, comm, *type, *type, {}};
                if (files) task.container = container_from_cgroup(files->cgroup);
                agents[tid] = task;
                break;
            }
        }
    }
    return agents;
}

}  // namespace agentmon
