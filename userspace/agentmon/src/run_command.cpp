#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "collection_loop.h"
#include "commands.h"
#include "exporter.h"
#include "http_server.h"
#include "mounts.h"
#include "self_collector.h"
#include "signals.h"

namespace agentmon {

namespace {

// bpffs for the pins of later stages; mounted when we may, else a warning: the
// collector still runs, only pinning is lost.
void prepare_bpffs(const Config& config, Logger& log) {
    auto state = ensure_mounted(kBpffsPath, "bpf", "bpf", geteuid() == 0);
    if (!state) {
        log.warn("bpffs unavailable; maps will not be pinned", {{"error", state.error().message}});
        return;
    }
    if (state.value() == MountState::mounted_now)
        log.info("mounted bpffs", {{"target", kBpffsPath}});
    if (Status st = ensure_directory(config.pin_dir); !st)
        log.warn("pin directory unavailable; maps will not be pinned",
                 {{"pin_dir", config.pin_dir}, {"error", st.error().message}});
}

// Every program the collectors keep loaded (none yet: the socket and ring
// collectors of later stages register theirs through Collector::programs()).
std::vector<BpfProgramRef> all_programs(const std::vector<std::unique_ptr<Collector>>& collectors) {
    std::vector<BpfProgramRef> programs;
    for (const auto& collector : collectors) {
        auto mine = collector->programs();
        programs.insert(programs.end(), mine.begin(), mine.end());
    }
    return programs;
}

}  // namespace

int run_collector(const RunOptions& options, Logger& log) {
    const Config& config = options.config;
    LibbpfLogRoute route(log);
    install_shutdown_handlers();
    BuildInfo build = current_build_info();
    log.info("agentmon starting", {{"version", build.version},
                                   {"commit", build.commit},
                                   {"kernel", build.kernel},
                                   {"listen", config.listen.to_string()},
                                   {"tick", format_duration(config.tick)},
                                   {"config", options.config_path.value_or("(defaults)")}});
    prepare_bpffs(config, log);

    // Destruction order on exit: HTTP server first (no more scrapes), then the loop
    // (joins its thread), then the collectors (detaching their BPF links).
    std::vector<std::unique_ptr<Collector>> collectors;
    collectors.push_back(std::make_unique<ProcessCollector>());
    // Later stages register their collectors here, before the stats collector.
    std::vector<std::unique_ptr<Collector>>* registered = &collectors;
    collectors.push_back(
        BpfStatsCollector::create([registered] { return all_programs(*registered); }, log));

    Exporter exporter(build);
    CollectionLoop loop(collectors, exporter, log, config.tick);
    auto server = HttpServer::create(config.listen, exporter, log);
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
    collectors.clear();
    log.info("agentmon stopped cleanly");
    return 0;
}

}  // namespace agentmon
