#pragma once
// The subcommands. Each returns the process exit code (0 success, 1 failure;
// usage errors exit 2 before these run).
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "config/config.h"
#include "config/web_config.h"

namespace agentmon {

struct CheckOptions {
    bool json = false;
    bool verbose = false;
};
int run_check(const CheckOptions& options, Logger& log);

struct RunOptions {
    Config config;  // file values with command-line overrides applied
    std::optional<std::string> config_path;
    // --web.listen-address (repeatable; --listen is its alias); empty: config.listen.
    std::vector<ListenAddress> listen_addresses;
    std::string telemetry_path = "/metrics";  // --web.telemetry-path
    WebConfig web_config;                     // --web.config.file (TLS, basic auth)
    // --allow-degraded: run on when every enabled kernel-path collector failed.
    bool allow_degraded = false;
};
int run_collector(const RunOptions& options, Logger& log);

// Unpins the maps and links of config.pin_dir; fails while an agentmon uses it.
int run_detach(const Config& config, Logger& log);

}  // namespace agentmon
