#include "model/agent_rules.h"

#include <fnmatch.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "model/agent_registry.h"

namespace agentmon {

namespace {

bool glob(const std::string& pattern, const std::string& text) {
    return pattern.empty() || fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// "AG_*" -> "AG_": the part of a glob every match starts with.
std::string literal_prefix(const std::string& pattern) {
    return pattern.substr(0, std::min(pattern.find_first_of("*?[\\"), pattern.size()));
}

// "KEY=*" matches any value of a set KEY; "KEY=" only an empty one.
bool env_matches(const AgentRule& rule, const std::vector<std::string>& environ) {
    const std::string key = rule.env_key + "=";
    for (const auto& entry : environ)
        if (entry.compare(0, key.size(), key) == 0)
            return fnmatch(rule.env_value.c_str(), entry.c_str() + key.size(), 0) == 0;
    return false;
}

const char* const kRuleKeys[] = {"comm",       "exe",      "cmdline",     "cgroup", "env",
                                 "agent_type", "agent_id", "comm_prefix", "uid"};

}  // namespace

std::vector<AgentRule> default_agent_rules() {
    AgentRule rule;
    rule.comm = "AG_*";
    rule.comm_prefix = "AG_";
    return {rule};
}

std::optional<std::uint32_t> type_from_comm(std::string_view comm, std::string_view prefix) {
    if (comm.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::string_view rest = comm.substr(prefix.size());
    if (auto exact = agent_type_by_name(rest)) return exact;
    // Only a comm the kernel may have cut short is read as a prefix: a process
    // that calls itself AG_DIR did not mean DIRECTOR.
    if (comm.size() < kCommMax) return std::nullopt;
    return agent_type_by_prefix(rest);
}

bool comm_matches(const AgentRule& rule, const std::string& comm) { return glob(rule.comm, comm); }

std::optional<RuleMatch> match_rule(const AgentRule& rule, const std::string& comm,
                                    const ProcessFacts& facts) {
    if (!glob(rule.comm, comm) || !glob(rule.exe, facts.exe) ||
        !glob(rule.cmdline, facts.cmdline) || !glob(rule.cgroup, facts.cgroup))
        return std::nullopt;
    if (!rule.env_key.empty() && !env_matches(rule, facts.environ)) return std::nullopt;
    if (rule.uid && facts.uid != rule.uid) return std::nullopt;
    std::optional<std::uint32_t> type = rule.agent_type == "from_comm"
                                            ? type_from_comm(comm, rule.comm_prefix)
                                            : agent_type_by_name(rule.agent_type);
    if (!type) return std::nullopt;
    return RuleMatch{*type, rule.agent_id ? rule.agent_id : *type};
}

std::optional<RuleMatch> match_comm_only(const std::vector<AgentRule>& rules,
                                         const std::string& comm) {
    for (const auto& rule : rules) {
        if (rule.needs_process_files()) continue;
        if (auto match = match_rule(rule, comm, {})) return match;
    }
    return std::nullopt;
}

std::string kernel_comm_prefix(const std::vector<AgentRule>& rules) {
    for (const auto& rule : rules)
        if (rule.agent_type == "from_comm" && !rule.needs_process_files() &&
            rule.comm == rule.comm_prefix + "*")
            return rule.comm_prefix;
    return "";
}

std::vector<AgentRule> parse_agent_rules(const nlohmann::json& value,
                                         std::vector<std::string>& problems) {
    if (!value.is_array()) {
        problems.push_back(
            "agent_rules: expected a list of rules like [{\"comm\": \"AG_*\", \"agent_type\": "
            "\"from_comm\"}], got " +
            value.dump());
        return default_agent_rules();
    }
    std::vector<AgentRule> rules;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto& r = value[i];
        const std::string where = "agent_rules[" + std::to_string(i) + "]";
        if (!r.is_object()) {
            problems.push_back(where + ": expected an object, got " + r.dump());
            continue;
        }
        AgentRule rule;
        rule.comm_prefix.clear();
        const std::size_t problems_before = problems.size();
        bool prefix_given = false;
        for (const auto& [key, v] : r.items()) {
            const std::string field = where + "." + key;
            if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), key) == std::end(kRuleKeys)) {
                problems.push_back(field +
                                   ": unknown key; known keys: comm, exe, cmdline, cgroup, env, "
                                   "uid, agent_type, agent_id, comm_prefix");
                continue;
            }
            if (key == "agent_id") {
                if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0 ||
                    v.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
                    problems.push_back(field + ": expected an agent id from 1 to 4294967295, got " +
                                       v.dump());
                else
                    rule.agent_id = v.get<std::uint32_t>();
                continue;
            }
            if (key == "uid") {
                if (!v.is_number_unsigned() ||
                    v.get<std::uint64_t>() >= std::numeric_limits<std::uint32_t>::max())
                    problems.push_back(field + ": expected a uid from 0 to 4294967294, got " +
                                       v.dump());
                else
                    rule.uid = v.get<std::uint32_t>();
                continue;
            }
            if (!v.is_string()) {
                problems.push_back(field + ": expected a string, got " + v.dump());
                continue;
            }
            const std::string s = v.get<std::string>();
            if (key == "comm") rule.comm = s;
            if (key == "exe") rule.exe = s;
            if (key == "cmdline") rule.cmdline = s;
            if (key == "cgroup") rule.cgroup = s;
            if (key == "agent_type") rule.agent_type = s;
            if (key == "comm_prefix") {
                rule.comm_prefix = s;
                prefix_given = true;
            }
            if (key == "env") {
                auto eq = s.find('=');
                if (eq == std::string::npos || eq == 0)
                    problems.push_back(field + ": expected \"KEY=VALUE-glob\", got " + v.dump());
                else {
                    rule.env_key = s.substr(0, eq);
                    rule.env_value = s.substr(eq + 1);
                }
            }
        }
        // A rule with a bad field gets no further verdicts: they would only echo it.
        if (problems.size() > problems_before) {
            rules.push_back(std::move(rule));
            continue;
        }
        if (rule.comm.empty() && !rule.needs_process_files())
            problems.push_back(
                where + ": needs at least one of comm, exe, cmdline, cgroup, env, uid to match");
        if (rule.agent_type == "from_comm") {
            if (!prefix_given) rule.comm_prefix = literal_prefix(rule.comm);
            if (rule.comm_prefix.empty() && !prefix_given)
                problems.push_back(where +
                                   ".agent_type: \"from_comm\" needs a comm glob with a fixed "
                                   "start such as \"AG_*\" (or a comm_prefix)");
        } else if (!agent_type_by_name(rule.agent_type)) {
            problems.push_back(where + ".agent_type: \"" + rule.agent_type +
                               "\" is neither \"from_comm\" nor one of the 28 agent types "
                               "(DIRECTOR ... ARCHITECT)");
        }
        rules.push_back(std::move(rule));
    }
    if (value.empty()) problems.emplace_back("agent_rules: at least one rule is needed");
    return rules;
}

}  // namespace agentmon
