#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "base/instance_lock.h"
#include "base/mounts.h"
#include "base/signals.h"
#include "cli/commands.h"
#include "collect/collector_set.h"
#include "config/pin_dir.h"
#include "serve/collection_loop.h"
#include "serve/exporter.h"
#include "serve/http_server.h"

namespace agentmon {

namespace {

// bpffs for the pins of later stages; mounted when we may, else a warning: the
// collector still runs, only pinning is lost (pin_dir is cleared so nothing is
// pinned or cleaned up). A pin_dir that resolves outside bpffs stops the start.
Status prepare_bpffs(Config& config, Logger& log) {
    auto state = ensure_mounted(kBpffsPath, "bpf", "bpf", geteuid() == 0);
    if (!state) {
        log.warn("bpffs unavailable; maps will not be pinned", {{"error", state.error().message}});
        config.pin_dir.clear();
        return Status::success();
    }
    if (state.value() == MountState::mounted_now)
        log.info("mounted bpffs", {{"target", kBpffsPath}});
    if (Status st = ensure_directory(config.pin_dir); !st) {
        log.warn("pin directory unavailable; maps will not be pinned",
                 {{"pin_dir", config.pin_dir}, {"error", st.error().message}});
        config.pin_dir.clear();
        return Status::success();
    }
    return verify_pin_dir_on_bpffs(config.pin_dir);
}

Status check_degraded(const CollectorStart& start, bool allow_degraded, Logger& log) {
    if (start.failed.empty()) return Status::success();
    std::string names;
    for (const auto& name : start.failed) names += (names.empty() ? "" : ",") + name;
    if (start.kernel_attached > 0) {
        log.warn("running degraded: some collectors could not attach", {{"failed", names}});
        return Status::success();
    }
    if (allow_degraded) {
        log.warn("running degraded: no kernel-path collector attached (--allow-degraded)",
                 {{"failed", names}});
        return Status::success();
    }
    return Error{"no kernel-path collector could attach (" + names +
                 "; see the errors above and `agentmon check`); --allow-degraded runs anyway"};
}

}  // namespace

// glibc's allocator, tuned for a process whose big buffers (a tick's map
// readings, the rendered /metrics text, its gzip) are made and freed every tick
// or scrape: past a fixed 128 KiB they are mmapped and given back when freed
// (the default threshold grows to 32 MiB after the first such free, and the
// freed buffers then stay in the heap), and two arenas serve the collection and
// HTTP threads (the default, eight per core, keeps a heap per thread). An
// operator's GLIBC_TUNABLES win.
void tune_allocator() {
    if (std::getenv("GLIBC_TUNABLES")) return;
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_ARENA_MAX, 2);
}

int run_collector(const RunOptions& options, Logger& log) {
    tune_allocator();
    Config config = options.config;
    LibbpfLogRoute route(log);
    install_shutdown_handlers();
    BuildInfo build = current_build_info();
    log.info("agentmon starting", {{"version", build.version},
                                   {"commit", build.commit},
                                   {"kernel", build.kernel},
                                   {"listen", config.listen.to_string()},
                                   {"tick", format_duration(config.tick)},
                                   {"config", options.config_path.value_or("(defaults)")}});
    // Before anything touches the pins: a second agentmon on them would count
    // twice and replace the first one's links.
    auto lock = InstanceLock::acquire(config.pin_dir);
    if (!lock) {
        log.error("cannot start", {{"error", lock.error().message}});
        return 1;
    }
    if (Status st = prepare_bpffs(config, log); !st) {
        log.error("unsafe pin_dir", {{"error", st.error().message}});
        return 1;
    }

    // Destruction order on exit: HTTP server first (no more scrapes), then the loop
    // (joins its thread), then the collectors (detaching their BPF links).
    auto context = std::make_shared<TickContext>(config);
    auto collectors = create_collectors(config, context, log);
    if (!collectors) {
        log.error("cannot start collectors", {{"error", collectors.error().message}});
        return 1;
    }
    // Without one kernel-path collector agentmon would serve only its own process
    // metrics and look healthy: a missing privilege must stop the start, where a
    // supervisor sees it, unless the operator asked for it.
    if (Status st = check_degraded(collectors.value(), options.allow_degraded, log); !st) {
        log.error("cannot start", {{"error", st.error().message}});
        return 1;
    }

    Exporter exporter(build, context->exemplars);
    CollectionLoop loop(*collectors.value().set, context, exporter, log, config.tick);
    loop.set_failed_at_start(collectors.value().failed);
    HttpOptions http{options.listen_addresses, options.telemetry_path, options.web_config};
    if (http.listen.empty()) http.listen.push_back(config.listen);
    auto server = HttpServer::create(http, exporter, log);
    if (!server) {
        log.error("cannot start http server", {{"error", server.error().message}});
        return 1;
    }
    loop.start();

    // Stop condition: a SIGTERM or SIGINT (see signals.h).
    while (!shutdown_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));

    const int sig = shutdown_signal();
    log.info("shutting down", {{"signal", sig == SIGTERM  ? "SIGTERM"
                                          : sig == SIGINT ? "SIGINT"
                                                          : std::to_string(sig)}});
    server.value().reset();
    loop.stop();
    collectors.value().set.reset();
    log.info("agentmon stopped cleanly");
    return 0;
}

}  // namespace agentmon
