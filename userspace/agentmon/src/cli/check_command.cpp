#include <unistd.h>

#include <iostream>

#include "base/caps.h"
#include "cli/commands.h"
#include "collect/socket_collector.h"
#include "kernel/probes.h"

namespace agentmon {

namespace {

// The socket path's own object, loaded and not attached, with the hooks and frame
// spec `agentmon run` takes without a config: whether this kernel's verifier takes
// the handler itself, which the feature programs do not show (6.1 refused the
// twin's while its tracepoints and bpf_loop were all there). Nothing is pinned.
Status load_socket_handler(Logger& log) {
    SocketProgramOptions options = socket_program_options(Config{}, KernelScope{}, -1);
    options.pin_dir.clear();
    options.attach = false;
    auto loaded = SocketMaps::create(options, log);
    if (!loaded) return loaded.error();
    return Status::success();
}

}  // namespace

int run_check(const CheckOptions& options, Logger& log) {
    // A refused probe is a verdict line; libbpf's own warnings (verifier logs) only
    // show with --verbose.
    LibbpfLogRoute route(log, LogLevel::debug);
    CheckReport report;
    probe_kernel(report);
    auto caps = probe_capabilities(report);
    // Mounting is what `agentmon run` does too, so check does it when it may.
    const bool may_mount = geteuid() == 0 || (caps && has_cap(*caps, kCapSysAdmin));
    probe_mounts(report, may_mount, log);
    probe_sysctls(report);
    const bool privileged = caps && (has_cap(*caps, kCapBpf) || has_cap(*caps, kCapSysAdmin));
    probe_program_types(report, privileged);
    probe_map_types(report, privileged);
    probe_helpers(report, privileged);
    probe_tracepoints(report);
    probe_feature_programs(report, privileged, log);
    judge_socket_hooks(report,
                       privileged ? std::optional<Status>(load_socket_handler(log)) : std::nullopt);

    if (options.json)
        std::cout << render_json(report).dump(2) << '\n';
    else
        std::cout << render_text(report);
    return report.passed() ? 0 : 1;
}

}  // namespace agentmon
