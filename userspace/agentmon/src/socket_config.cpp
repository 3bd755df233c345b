#include "socket_config.h"

#include <nlohmann/json.hpp>

#include "socket_trace.h"

namespace agentmon {

std::vector<double> default_latency_buckets() {
    return {1e-6, 2.5e-6, 5e-6,  1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
            5e-3, 0.01,   0.025, 0.05, 0.1,    0.25, 0.5,  1,      2.5,  5,    10};
}

std::vector<double> default_size_buckets() {
    std::vector<double> b;
    for (double v = 64; v <= 16 * 1024 * 1024; v *= 2) b.push_back(v);
    return b;
}

const std::vector<std::string>& socket_config_keys() {
    static const std::vector<std::string> keys = {"socket_path",       "frame_spec",
                                                  "agent_rules",       "agents",
                                                  "series_budget",     "latency_buckets_seconds",
                                                  "size_buckets_bytes"};
    return keys;
}

namespace {

void check_buckets(const std::string& key, const std::vector<double>& b,
                   std::vector<std::string>& problems) {
    if (b.empty() || b.size() > HIST_BOUNDS_MAX)
        problems.push_back(key + ": needs 1 to " + std::to_string(HIST_BOUNDS_MAX) + " bounds");
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (b[i] <= 0) problems.push_back(key + "[" + std::to_string(i) + "]: must be positive");
        if (i && b[i] <= b[i - 1])
            problems.push_back(key + "[" + std::to_string(i) +
                               "]: must be larger than the one before");
    }
}

std::vector<double> read_buckets(const nlohmann::json& v, const std::string& key,
                                 std::vector<std::string>& problems) {
    std::vector<double> out;
    if (!v.is_array()) {
        problems.push_back(key + ": expected a list of numbers");
        return out;
    }
    for (const auto& x : v) {
        if (!x.is_number()) {
            problems.push_back(key + ": " + x.dump() + " is not a number");
            continue;
        }
        out.push_back(x.get<double>());
    }
    return out;
}

}  // namespace

std::vector<std::string> SocketConfig::validate() const {
    std::vector<std::string> problems = frame_spec.validate();
    check_buckets("latency_buckets_seconds", latency_buckets_seconds, problems);
    check_buckets("size_buckets_bytes", size_buckets_bytes, problems);
    if (agent_rules.empty()) problems.push_back("agent_rules: at least one rule is needed");
    return problems;
}

void apply_socket_config(const nlohmann::json& doc, SocketConfig& config,
                         std::vector<std::string>& problems) {
    if (doc.contains("socket_path")) {
        if (doc.at("socket_path").is_boolean())
            config.enabled = doc.at("socket_path").get<bool>();
        else
            problems.push_back("socket_path: expected true or false");
    }
    if (doc.contains("frame_spec"))
        config.frame_spec = parse_frame_spec(doc.at("frame_spec"), problems);
    if (doc.contains("agent_rules"))
        config.agent_rules = parse_agent_rules(doc.at("agent_rules"), problems);
    if (doc.contains("agents")) {
        const auto& list = doc.at("agents");
        if (!list.is_array()) problems.push_back("agents: expected a list of {id, type, name}");
        for (std::size_t i = 0; list.is_array() && i < list.size(); ++i) {
            const auto& a = list[i];
            std::string where = "agents[" + std::to_string(i) + "]";
            if (!a.is_object() || !a.contains("id") || !a.at("id").is_number_unsigned() ||
                !a.contains("type") || !a.at("type").is_string()) {
                problems.push_back(where +
                                   ": expected {\"id\": N, \"type\": \"DIRECTOR\", \"name\": ...}");
                continue;
            }
            auto type = agent_type_by_name(a.at("type").get<std::string>());
            if (!type) {
                problems.push_back(where + ".type: not one of the 28 agent types");
                continue;
            }
            RegistryEntry e{a.at("id").get<std::uint32_t>(), *type, ""};
            if (a.contains("name") && a.at("name").is_string())
                e.name = a.at("name").get<std::string>();
            config.agents.push_back(e);
        }
    }
    if (doc.contains("latency_buckets_seconds"))
        config.latency_buckets_seconds =
            read_buckets(doc.at("latency_buckets_seconds"), "latency_buckets_seconds", problems);
    if (doc.contains("size_buckets_bytes"))
        config.size_buckets_bytes =
            read_buckets(doc.at("size_buckets_bytes"), "size_buckets_bytes", problems);
    if (doc.contains("series_budget")) {
        const auto& b = doc.at("series_budget");
        if (!b.is_object())
            problems.push_back("series_budget: expected {\"default\": N, \"<family>\": N}");
        else
            for (const auto& [family, v] : b.items()) {
                if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0) {
                    problems.push_back("series_budget." + family + ": expected a positive integer");
                    continue;
                }
                if (family == "default")
                    config.series_budget_default = v.get<std::size_t>();
                else
                    config.series_budget[family] = v.get<std::size_t>();
            }
    }
}

}  // namespace agentmon
