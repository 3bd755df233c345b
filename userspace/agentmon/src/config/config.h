#pragma once
// The collector's configuration: a typed contract. JSON keys map one to one onto
// the fields below; unknown keys are errors (with a did-you-mean hint), and every
// message names the field it is about. Later stages add the frame spec, agent
// rules, label budgets, buckets and SLO thresholds here.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "config/analytics_config.h"
#include "config/ring_config.h"
#include "config/scope_config.h"
#include "config/socket_config.h"
#include "config/tracing_config.h"

namespace agentmon {

// 9465: next to the 94xx exporter ports (ebpf_exporter uses 9435); not a
// registered default of any common exporter.
inline constexpr std::uint16_t kDefaultPort = 9465;
inline constexpr const char* kDefaultListen = "0.0.0.0:9465";

struct ListenAddress {
    std::string host;  // IPv4 or IPv6 address (no brackets); 0.0.0.0 for all interfaces
    std::uint16_t port = kDefaultPort;
    bool is_ipv6() const { return host.find(':') != std::string::npos; }
    // "HOST:PORT", "[IPV6]:PORT", as the flags take it.
    std::string to_string() const {
        return (is_ipv6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
    }
};

// "HOST:PORT" with an IPv4 HOST, "[IPV6]:PORT", or ":PORT" / "PORT" for all
// IPv4 interfaces.
std::optional<ListenAddress> parse_listen(std::string_view text);

// "1s", "500ms", "2m", "1h": a non-negative integer and a unit.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);

struct Config {
    ListenAddress listen{"0.0.0.0", kDefaultPort};
    std::chrono::milliseconds tick{1000};
    LogLevel log_level = LogLevel::info;
    LogFormat log_format = LogFormat::text;
    std::string pin_dir = "/sys/fs/bpf/agentmon";
    SocketConfig socket;        // frame spec, agent rules, registry, buckets, series budget
    RingConfig ring;            // shared-memory rings (uses socket's frame spec, rules, registry)
    AnalyticsConfig analytics;  // anomaly scores, failure prediction, capacity
    TracingConfig tracing;      // spans of sampled requests over OTLP/HTTP
    // "agent_path": false runs without the agent state path (its scheduler hooks):
    // the transport paths' cost can then be measured on their own.
    bool agent_path = true;
    // "agent_path_reader": "kernel" (the agent state object: a task iterator and
    // task hooks), "procfs" (/proc once a tick, for kernels without task storage
    // maps, before 5.11) or "auto" (the kernel's where it loads, else /proc).
    std::string agent_path_reader = "auto";
    // Which agents this agentmon counts (config/scope_config.h).
    ScopeSetting scope;
    // A mount of the host's /proc (e.g. "/host/proc") for an agentmon in a pid
    // namespace of its own that must see the host's agents (a DaemonSet without
    // hostPID). Empty: "/proc", and "/host/proc" when /proc is not the host's and
    // that shows host pids.
    std::string host_proc;

    // Semantic checks; each message starts with the field name ("tick: ...").
    std::vector<std::string> validate() const;
};

inline constexpr std::chrono::milliseconds kMinTick{100};
inline constexpr std::chrono::milliseconds kMaxTick{std::chrono::hours(1)};

// The keys a config file may hold.
const std::vector<std::string>& config_keys();

// Applies a JSON document on top of `config`. Problems (syntax, unknown keys, wrong
// types, unparsable values) are appended, each naming the field.
void apply_config_json(std::string_view text, Config& config, std::vector<std::string>& problems);

// Reads, applies and validates a config file. The error lists every problem, one
// per line, each prefixed with the file name.
Result<Config> load_config_file(const std::string& path, Config base = {});

// Closest known key within a small edit distance, for "did you mean" hints.
std::optional<std::string> closest_key(std::string_view unknown,
                                       const std::vector<std::string>& known);

}  // namespace agentmon
