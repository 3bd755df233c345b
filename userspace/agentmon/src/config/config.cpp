#include "config/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/input_limits.h"
#include "config/json_fields.h"
#include "config/pin_dir.h"

namespace agentmon {

std::optional<ListenAddress> parse_listen(std::string_view text) {
    std::string_view host, port_text = text;
    if (!text.empty() && text.front() == '[') {
        // "[IPV6]:PORT": the brackets keep the address's colons apart from the port's.
        size_t close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
        if (host.empty()) return std::nullopt;
    } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs []
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
        port == 0 || port > 65535)
        return std::nullopt;
    ListenAddress addr;
    addr.host = host.empty() ? "0.0.0.0" : std::string(host);
    in_addr parsed4{};
    in6_addr parsed6{};
    if (inet_pton(AF_INET, addr.host.c_str(), &parsed4) != 1 &&
        inet_pton(AF_INET6, addr.host.c_str(), &parsed6) != 1)
        return std::nullopt;
    addr.port = static_cast<std::uint16_t>(port);
    return addr;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) return std::nullopt;
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + digits, value);
    std::string_view unit = text.substr(digits);
    if (unit == "ms") return std::chrono::milliseconds(value);
    if (unit == "s") return std::chrono::seconds(value);
    if (unit == "m") return std::chrono::minutes(value);
    if (unit == "h") return std::chrono::hours(value);
    return std::nullopt;
}

std::string format_duration(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::vector<std::string> Config::validate() const {
    std::vector<std::string> problems;
    if (tick < kMinTick || tick > kMaxTick)
        problems.push_back("tick: " + format_duration(tick) + " is out of range; use " +
                           format_duration(kMinTick) + " to 1h (e.g. \"1s\")");
    if (auto problem = pin_dir_problem(pin_dir)) problems.push_back("pin_dir: " + *problem);
    for (auto& problem : socket.validate()) problems.push_back(std::move(problem));
    for (auto& problem : ring.validate()) problems.push_back(std::move(problem));
    for (auto& problem : analytics.validate()) problems.push_back(std::move(problem));
    for (auto& problem : tracing.validate()) problems.push_back(std::move(problem));
    return problems;
}

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k = {"listen",  "tick",      "log_level",  "log_format",
                                      "pin_dir", "ring_path", "agent_path", "analytics",
                                      "scope",   "host_proc", "tracing",    "agent_path_reader"};
        k.insert(k.end(), socket_config_keys().begin(), socket_config_keys().end());
        return k;
    }();
    return keys;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Reads a string field; appends a problem naming `key` if it is not a string.
std::optional<std::string> string_field(const nlohmann::json& doc, const std::string& key,
                                        std::string_view example,
                                        std::vector<std::string>& problems) {
    const auto& value = doc.at(key);
    if (!value.is_string()) {
        problems.push_back(key + ": expected a string like \"" + std::string(example) + "\", got " +
                           value.dump());
        return std::nullopt;
    }
    return value.get<std::string>();
}

// A string field turned into a value by `parse`; a string that `parse` rejects is the
// problem "<key>: \"<text>\" <rejection>".
template <typename T, typename Parse>
void read_parsed(const nlohmann::json& doc, const std::string& key, std::string_view example,
                 Parse parse, T& out, std::string_view rejection,
                 std::vector<std::string>& problems) {
    if (!doc.contains(key)) return;
    const auto text = string_field(doc, key, example, problems);
    if (!text) return;
    if (auto value = parse(*text))
        out = *value;
    else
        problems.push_back(key + ": \"" + *text + "\" " + std::string(rejection));
}

}  // namespace

std::optional<std::string> closest_key(std::string_view unknown,
                                       const std::vector<std::string>& known) {
    std::optional<std::string> best;
    size_t best_distance = 3;  // at most 2 edits
    for (const auto& key : known) {
        size_t d = edit_distance(unknown, key);
        if (d < best_distance) {
            best_distance = d;
            best = key;
        }
    }
    return best;
}

void apply_config_json(std::string_view text, Config& config, std::vector<std::string>& problems) {
    if (auto problem = json_depth_problem(text)) {
        problems.push_back("not accepted: " + *problem);
        return;
    }
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        // Not only parse_error: a number beyond a double's range (1e400) is an
        // out_of_range, which escaped here and ended agentmon with std::terminate.
        problems.push_back(std::string("not valid JSON: ") + e.what());
        return;
    }
    if (!doc.is_object()) {
        problems.push_back("top level: expected a JSON object {...}, got " +
                           std::string(doc.type_name()));
        return;
    }
    for (const auto& [key, value] : doc.items()) {
        if (std::find(config_keys().begin(), config_keys().end(), key) != config_keys().end())
            continue;
        std::string hint = closest_key(key, config_keys())
                               ? "did you mean \"" + *closest_key(key, config_keys()) + "\"?"
                               : "known keys: " + join_names(config_keys());
        problems.push_back(key + ": unknown key; " + hint);
    }
    read_parsed(doc, "listen", kDefaultListen, parse_listen, config.listen,
                "is not HOST:PORT or [IPV6]:PORT with a port 1-65535, "
                "e.g. \"127.0.0.1:9465\" or \"[::1]:9465\"",
                problems);
    read_parsed(doc, "tick", "1s", parse_duration, config.tick,
                "is not a duration; use an integer with ms, s, m or h, e.g. \"1s\" or \"500ms\"",
                problems);
    read_parsed(doc, "log_level", "info", parse_log_level, config.log_level,
                "is not one of debug, info, warn, error", problems);
    read_parsed(doc, "log_format", "text", parse_log_format, config.log_format,
                "is not one of text, json", problems);
    if (doc.contains("pin_dir")) {
        if (auto text_value = string_field(doc, "pin_dir", "/sys/fs/bpf/agentmon", problems))
            config.pin_dir = *text_value;
    }
    if (doc.contains("scope")) {
        if (auto text_value = string_field(doc, "scope", "pod", problems)) {
            if (auto scope = parse_scope(*text_value))
                config.scope = *scope;
            else
                problems.push_back("scope: \"" + *text_value +
                                   "\" is not node, pod or cgroup:<absolute cgroup v2 path>");
        }
    }
    if (doc.contains("host_proc")) {
        if (auto text_value = string_field(doc, "host_proc", "/host/proc", problems)) {
            if (!text_value->empty() && text_value->front() == '/')
                config.host_proc = *text_value;
            else
                problems.push_back("host_proc: \"" + *text_value +
                                   "\" is not an absolute path (e.g. \"/host/proc\")");
        }
    }
    if (doc.contains("agent_path"))
        read_bool(doc.at("agent_path"), "agent_path", config.agent_path, problems);
    if (doc.contains("agent_path_reader")) {
        if (auto text = string_field(doc, "agent_path_reader", "auto", problems)) {
            if (*text == "auto" || *text == "kernel" || *text == "procfs")
                config.agent_path_reader = *text;
            else
                problems.push_back("agent_path_reader: one of auto, kernel, procfs, got \"" +
                                   *text + "\"");
        }
    }
    apply_socket_config(doc, config.socket, problems);
    apply_ring_config(doc, config.ring, problems);
    apply_analytics_config(doc, config.analytics, problems);
    apply_tracing_config(doc, config.tracing, problems);
}

Result<Config> load_config_file(const std::string& path, Config base) {
    auto text = read_bounded_file(path);
    if (!text) return text.error();  // keeps the errno: a missing file is a usage error
    std::vector<std::string> problems;
    apply_config_json(text.value(), base, problems);
    for (auto& problem : base.validate()) problems.push_back(std::move(problem));
    if (problems.empty()) return base;
    std::string message;
    const std::size_t shown = std::min(problems.size(), kMaxProblemLines);
    for (std::size_t i = 0; i < shown; ++i) {
        if (!message.empty()) message += '\n';
        message += path + ": " + one_line(problems[i]);
    }
    if (problems.size() > shown)
        message += "\n" + path + ": ... and " + std::to_string(problems.size() - shown) +
                   " more problems (the first " + std::to_string(shown) + " are shown)";
    return Error{message};
}

}  // namespace agentmon
