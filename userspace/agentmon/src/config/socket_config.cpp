#include "config/socket_config.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "abi/socket_trace.h"
#include "config/json_fields.h"
#include "config/label_config.h"
#include "metrics/family_table.h"

namespace agentmon {

const std::vector<std::string>& socket_config_keys() {
    static const std::vector<std::string> keys = {"socket_path",
                                                  "socket_hooks",
                                                  "frame_spec",
                                                  "agent_rules",
                                                  "agents",
                                                  "series_budget",
                                                  "labels",
                                                  "latency_buckets_seconds",
                                                  "size_buckets_bytes",
                                                  "request_types",
                                                  "request_timeout_seconds",
                                                  "label_quota",
                                                  "frames_map_entries"};
    return keys;
}

namespace {

// Bounds must stay strictly increasing in the kernel's integer units (ns, bytes),
// or two buckets would collapse into one.
void check_buckets(const std::string& key, const std::vector<double>& b, double scale,
                   const char* unit, std::vector<std::string>& problems) {
    if (b.empty() || b.size() > HIST_BOUNDS_MAX)
        problems.push_back(key + ": needs 1 to " + std::to_string(HIST_BOUNDS_MAX) +
                           " bounds, got " + std::to_string(b.size()));
    for (std::size_t i = 0; i < b.size(); ++i) {
        const std::string where = key + "[" + std::to_string(i) + "]";
        const double scaled = b[i] * scale;
        if (!(scaled >= 1) || scaled > 1e18)
            problems.push_back(where + ": must be at least 1 " + unit);
        else if (i && std::llround(scaled) <= std::llround(b[i - 1] * scale))
            problems.push_back(where + ": must be larger than the bound before it (" +
                               std::to_string(b[i - 1]) + "), in whole " + unit);
    }
}

std::vector<std::uint64_t> scaled(const std::vector<double>& bounds, double scale) {
    std::vector<std::uint64_t> out;
    out.reserve(bounds.size());
    for (double b : bounds) out.push_back(static_cast<std::uint64_t>(std::llround(b * scale)));
    return out;
}

std::vector<double> read_buckets(const nlohmann::json& v, const std::string& key,
                                 std::vector<std::string>& problems) {
    std::vector<double> out;
    if (!v.is_array()) {
        problems.push_back(key + ": expected a list of increasing numbers, got " + v.dump());
        return out;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number()) {
            problems.push_back(key + "[" + std::to_string(i) + "]: expected a number, got " +
                               v[i].dump());
            continue;
        }
        out.push_back(v[i].get<double>());
    }
    return out;
}

void read_series_budget(const nlohmann::json& b, SocketConfig& config,
                        std::vector<std::string>& problems) {
    if (!expect_kind(b.is_object(), "series_budget: expected {\"default\": N, \"<family>\": N}", b,
                     problems))
        return;
    // The socket path's families and the agent path's per-instance ones.
    std::vector<std::string> families = budgeted_families();
    const auto& agent_families = agent_budgeted_families();
    families.insert(families.end(), agent_families.begin(), agent_families.end());
    for (const auto& [family, v] : b.items()) {
        const std::string where = "series_budget." + family;
        if (family != "default" &&
            std::find(families.begin(), families.end(), family) == families.end()) {
            problems.push_back(where + ": not a budgeted metric family; known: default, " +
                               join_names(families));
            continue;
        }
        if (!expect_kind(v.is_number_unsigned() && v.get<std::uint64_t>() != 0,
                         where + ": expected a positive integer", v, problems))
            continue;
        if (family == "default")
            config.series_budget_default = v.get<std::size_t>();
        else
            config.series_budget[family] = v.get<std::size_t>();
    }
}

}  // namespace

std::vector<std::uint64_t> SocketConfig::latency_bounds_ns() const {
    return scaled(latency_buckets_seconds, 1e9);
}

std::vector<std::uint64_t> SocketConfig::size_bounds_bytes() const {
    return scaled(size_buckets_bytes, 1);
}

std::vector<std::string> SocketConfig::validate() const {
    std::vector<std::string> problems = frame_spec.validate();
    check_buckets("latency_buckets_seconds", latency_buckets_seconds, 1e9, "nanoseconds", problems);
    check_buckets("size_buckets_bytes", size_buckets_bytes, 1, "bytes", problems);
    if (agent_rules.empty()) problems.emplace_back("agent_rules: at least one rule is needed");
    return problems;
}

namespace {

// ["REQUEST", "TASK"]: names of message types whose frames expect a reply.
void read_request_types(const nlohmann::json& value, SocketConfig& config,
                        std::vector<std::string>& problems) {
    if (!expect_kind(value.is_array(), "request_types: expected a list of message type names",
                     value, problems))
        return;
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string name = value[i].is_string() ? value[i].get<std::string>() : "";
        std::uint32_t type = 0;
        for (std::uint32_t t = 1; t <= 15; ++t)
            if (msg_type_name(t) == name) type = t;
        if (!type) {
            problems.push_back("request_types[" + std::to_string(i) + "]: " + value[i].dump() +
                               " is not a message type (REQUEST, TASK, RESOURCE_REQ, ...)");
            continue;
        }
        mask |= 1u << type;
    }
    config.request_type_mask = mask;
}

}  // namespace

void apply_socket_config(const nlohmann::json& doc, SocketConfig& config,
                         std::vector<std::string>& problems) {
    if (doc.contains("socket_path"))
        read_bool(doc.at("socket_path"), "socket_path", config.enabled, problems);
    if (doc.contains("socket_hooks")) {
        const auto& v = doc.at("socket_hooks");
        if (v.is_string() &&
            (v == "auto" || v == "sock_length" || v == "syscalls" || v == "syscalls_bounded"))
            config.hooks = v.get<std::string>();
        else
            problems.push_back(
                "socket_hooks: expected \"auto\", \"sock_length\", \"syscalls\" or "
                "\"syscalls_bounded\", got " +
                v.dump());
    }
    if (doc.contains("frame_spec"))
        config.frame_spec = parse_frame_spec(doc.at("frame_spec"), problems);
    if (doc.contains("agent_rules"))
        config.agent_rules = parse_agent_rules(doc.at("agent_rules"), problems);
    if (doc.contains("agents")) config.agents = parse_agent_registry(doc.at("agents"), problems);
    if (doc.contains("latency_buckets_seconds"))
        config.latency_buckets_seconds =
            read_buckets(doc.at("latency_buckets_seconds"), "latency_buckets_seconds", problems);
    if (doc.contains("size_buckets_bytes"))
        config.size_buckets_bytes =
            read_buckets(doc.at("size_buckets_bytes"), "size_buckets_bytes", problems);
    if (doc.contains("series_budget"))
        read_series_budget(doc.at("series_budget"), config, problems);
    if (doc.contains("labels")) read_label_selection(doc.at("labels"), config.labels, problems);
    if (doc.contains("request_types"))
        read_request_types(doc.at("request_types"), config, problems);
    if (doc.contains("request_timeout_seconds")) {
        const auto& v = doc.at("request_timeout_seconds");
        if (v.is_number() && v.get<double>() > 0 && v.get<double>() <= 3600)
            config.request_timeout_seconds = v.get<double>();
        else
            problems.push_back(
                "request_timeout_seconds: expected a number of seconds in (0, 3600], got " +
                v.dump());
    }
    if (doc.contains("label_quota")) {
        const auto& v = doc.at("label_quota");
        if (v.is_number_integer() && v.get<std::int64_t>() >= 1 &&
            v.get<std::int64_t>() <= std::int64_t(SocketConfig::kMaxLabelQuota))
            config.label_quota = v.get<std::uint64_t>();
        else
            problems.push_back("label_quota: expected a whole number of label sets in [1, " +
                               std::to_string(SocketConfig::kMaxLabelQuota) + "], got " + v.dump());
    }
    if (doc.contains("frames_map_entries")) {
        const auto& v = doc.at("frames_map_entries");
        if (v.is_number_integer() &&
            v.get<std::int64_t>() >= std::int64_t(SocketConfig::kMinFramesMapEntries) &&
            v.get<std::int64_t>() <= std::int64_t(SocketConfig::kMaxLabelQuota))
            config.frames_map_entries = v.get<std::uint32_t>();
        else
            problems.push_back("frames_map_entries: expected a whole number of label sets in [" +
                               std::to_string(SocketConfig::kMinFramesMapEntries) + ", " +
                               std::to_string(SocketConfig::kMaxLabelQuota) + "], got " + v.dump());
    }
}

}  // namespace agentmon
