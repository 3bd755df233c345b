#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <iostream>
#include <optional>
#include <string>

#include "analytics/analyze_anomalies.h"
#include "analytics/analyze_forecast.h"
#include "base/log.h"
#include "base/version.h"
#include "base/version_string.h"
#include "cli/capacity_command.h"
#include "cli/commands.h"
#include "config/config.h"
#include "config/web_config.h"
#include "serve/tls_material.h"

namespace agentmon {

namespace {

CLI::Validator duration_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            auto d = parse_duration(text);
            if (!d) return "\"" + text + "\" is not a duration like 1s or 500ms";
            if (*d < kMinTick || *d > kMaxTick) return "\"" + text + "\" is outside 100ms..1h";
            return "";
        },
        "DURATION");
}

CLI::Validator listen_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            return parse_listen(text) ? ""
                                      : "\"" + text +
                                            "\" is not IPV4:PORT or [IPV6]:PORT, e.g. "
                                            "127.0.0.1:9465 or [::1]:9465";
        },
        "ADDR:PORT");
}

CLI::Validator scope_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            return parse_scope(text) ? ""
                                     : "\"" + text +
                                           "\" is not node, pod or cgroup:<absolute cgroup v2 "
                                           "path>";
        },
        "SCOPE");
}

CLI::Validator telemetry_path_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            if (text.size() < 2 || text[0] != '/')
                return "\"" + text + "\" is not a path like /metrics";
            if (text == "/healthz" || text == "/readyz")
                return "\"" + text + "\" is taken by the health endpoint";
            return "";
        },
        "PATH");
}

// --check-config [FILE]: validates FILE (or --config FILE); exits 0 if valid, 1 if
// not, 2 if it does not exist (the exit codes of `run --config`).
int check_config(const std::string& path) {
    auto config = load_config_file(path);
    if (!config) {
        std::cerr << config.error().message << '\n';
        if (config.error().code == ENOENT) return kExitUsage;  // as `run --config` does
        std::cout << path << ": invalid\n";
        return kExitFailure;
    }
    std::cout << path << ": OK (listen " << config->listen.to_string() << ", tick "
              << format_duration(config->tick) << ")\n";
    return kExitOk;
}

// The web config (--web.config.file) as `run` loads it: syntax, keys, bcrypt
// hashes, and the certificate and key themselves (GnuTLS loads them). Same exit
// codes as check_config.
Result<WebConfig> load_web_config(const std::string& path) {
    auto web = load_web_config_file(path);
    if (!web || !web->tls) return web;
    if (auto material = load_tls_material(*web->tls); !material)
        return Error{path + ": " + material.error().message};
    return web;
}

int check_web_config(const std::string& path) {
    auto web = load_web_config(path);
    if (!web) {
        std::cerr << web.error().message << '\n';
        if (web.error().code == ENOENT) return kExitUsage;
        std::cout << path << ": invalid\n";
        return kExitFailure;
    }
    std::cout << path << ": OK (" << (web->tls ? "TLS" : "no TLS") << ", "
              << web->basic_auth_users.size() << " basic auth users)\n";
    return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{"agentmon: eBPF collector for a multi-agent message bus", "agentmon"};
    app.set_version_flag("--version", version_string(kVersion, kGitDescribe));
    app.require_subcommand(1);
    // Global options may also follow the subcommand: `agentmon check --verbose`.
    app.fallthrough();

    std::optional<std::string> log_level_flag, log_format_flag;
    bool verbose = false;
    app.add_option("--log-level", log_level_flag, "debug, info, warn or error (default info)")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    app.add_option("--log-format", log_format_flag, "text (logfmt) or json (default text)")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_flag("-v,--verbose", verbose, "Debug logs, including libbpf's and the verifier's");

    CLI::App* check = app.add_subcommand(
        "check",
        "Probe every kernel feature the collector needs; exit 0 if all required are present");
    bool check_json = false;
    check->add_flag("--json", check_json, "Print the report as JSON");

    CLI::App* run = app.add_subcommand("run", "Load the collector and serve /metrics");
    std::optional<std::string> listen_flag, tick_flag, config_path, check_config_path;
    run->add_option("--listen", listen_flag,
                    std::string("Address to serve HTTP on (default ") + kDefaultListen + ")")
        ->check(listen_validator());
    std::vector<std::string> web_listen;
    std::string telemetry_path = "/metrics";
    run->add_option("--web.listen-address", web_listen,
                    "Address to serve HTTP on; repeat for several (the exporter-toolkit flag; "
                    "--listen is an alias)")
        ->check(listen_validator());
    run->add_option("--web.telemetry-path", telemetry_path,
                    "Path under which to expose metrics (default /metrics)")
        ->check(telemetry_path_validator());
    std::optional<std::string> web_config_path;
    run->add_option("--web.config.file", web_config_path,
                    "Web config (exporter-toolkit YAML): TLS certificate and key, basic auth "
                    "users with bcrypt hashes");
    run->add_option("--config", config_path, "JSON config file")->check(CLI::ExistingFile);
    run->add_option("--tick", tick_flag, "Collection interval, e.g. 1s or 500ms (default 1s)")
        ->check(duration_validator());
    std::optional<std::string> scope_flag, host_proc_flag;
    run->add_option("--scope", scope_flag,
                    "Which agents to count: node (default), pod (agentmon's own pid namespace "
                    "or pod cgroup) or cgroup:<path>")
        ->check(scope_validator());
    run->add_option("--host-proc", host_proc_flag,
                    "The host's /proc mounted here, for agentmon in a pid namespace of its own "
                    "(default: /host/proc when it is one)");
    bool allow_degraded = false;
    run->add_flag("--allow-degraded", allow_degraded,
                  "Keep running when no kernel-path collector (socket, ring, agents) can attach, "
                  "serving only self metrics (default: exit 1)");
    CLI::Option* check_config_opt =
        run->add_option("--check-config", check_config_path,
                        "Validate the config (FILE, or the --config file), print what is wrong, "
                        "exit 0 if valid and 1 if not")
            ->expected(0, 1)
            ->type_name("[FILE]");

    CapacityOptions capacity_options;
    CLI::App* capacity = add_capacity_command(app, capacity_options);
    CLI::App* analyze = app.add_subcommand("analyze", "Offline analytics on a metric series CSV");
    analyze->require_subcommand(1);
    CLI::App* anomalies = analyze->add_subcommand(
        "anomalies", "Score each row of a timestamp,value CSV with an anomaly_score in [0, 1]");
    std::string anomalies_in, anomalies_out;
    anomalies->add_option("--input", anomalies_in, "CSV with the header timestamp,value")
        ->required();
    anomalies->add_option("--output", anomalies_out, "CSV written: timestamp,value,anomaly_score")
        ->required();
    CLI::App* forecast = analyze->add_subcommand(
        "forecast", "Forecast an evenly spaced timestamp,value CSV with the capacity model");
    std::string forecast_in, forecast_out, forecast_horizon = "24h";
    forecast->add_option("--input", forecast_in, "CSV with the header timestamp,value")->required();
    forecast
        ->add_option("--output", forecast_out, "CSV written: seconds_ahead,forecast,lower,upper")
        ->required();
    forecast->add_option("--horizon", forecast_horizon, "How far ahead, e.g. 1h or 24h");
    CLI::App* detach = app.add_subcommand(
        "detach",
        "Remove the pinned maps and links agentmon keeps between runs (its programs "
        "stop counting); refused while agentmon runs");
    detach->add_option("--config", config_path, "JSON config file (for pin_dir)")
        ->check(CLI::ExistingFile);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }

    if (capacity->parsed()) return run_capacity(capacity_options);
    if (anomalies->parsed())
        return analytics::analyze_anomalies(anomalies_in, anomalies_out, std::cerr);
    if (forecast->parsed()) {
        auto horizon = parse_duration(forecast_horizon);
        if (!horizon || horizon->count() <= 0) {
            std::cerr << "--horizon: \"" << forecast_horizon
                      << "\" is not a duration such as 1h or 24h\n";
            return kExitUsage;
        }
        return analytics::analyze_forecast(
            forecast_in, forecast_out, std::chrono::duration<double>(*horizon).count(), std::cerr);
    }

    if (check_config_opt->count() > 0) {
        std::string path = check_config_path.value_or("");
        if (path.empty()) path = config_path.value_or("");
        if (path.empty() && !web_config_path) {
            std::cerr << "--check-config needs a FILE, --config FILE or --web.config.file FILE\n";
            return kExitUsage;
        }
        int code = path.empty() ? kExitOk : check_config(path);
        if (web_config_path && code != kExitUsage) {
            const int web_code = check_web_config(*web_config_path);
            if (web_code != kExitOk) code = web_code;
        }
        return code;
    }

    Config config;
    if ((run->parsed() || detach->parsed()) && config_path) {
        auto loaded = load_config_file(*config_path);
        if (!loaded) {
            std::cerr << loaded.error().message << '\n';
            return loaded.error().code == ENOENT ? kExitUsage : kExitFailure;
        }
        config = std::move(loaded).value();
    }
    if (log_level_flag) config.log_level = *parse_log_level(*log_level_flag);
    if (log_format_flag) config.log_format = *parse_log_format(*log_format_flag);
    if (verbose) config.log_level = LogLevel::debug;
    Logger log(config.log_level, config.log_format, std::cerr);

    if (check->parsed()) return run_check(CheckOptions{check_json, verbose}, log);
    if (detach->parsed()) return run_detach(config, log);

    if (listen_flag) config.listen = *parse_listen(*listen_flag);
    if (tick_flag) config.tick = *parse_duration(*tick_flag);
    if (scope_flag) config.scope = *parse_scope(*scope_flag);
    if (host_proc_flag) config.host_proc = *host_proc_flag;
    RunOptions options{config, config_path, {}, telemetry_path, {}, allow_degraded};
    if (web_config_path) {
        auto web = load_web_config(*web_config_path);
        if (!web) {
            std::cerr << web.error().message << '\n';
            return web.error().code == ENOENT ? kExitUsage : kExitFailure;
        }
        options.web_config = std::move(web).value();
    }
    if (listen_flag && !web_listen.empty()) options.listen_addresses.push_back(config.listen);
    for (const auto& text : web_listen) options.listen_addresses.push_back(*parse_listen(text));
    return run_collector(options, log);
}

}  // namespace agentmon
