#include "bus.h"

#include <dirent.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>

#include "agen_frame.h"
#include "agent.h"
#include "agent_types.h"
#include "fault_timeline.h"
#include "topology.h"
#include "truth.h"

namespace agentbus {
namespace {

volatile sig_atomic_t g_signals = 0;
void on_signal(int) { g_signals = g_signals + 1; }

constexpr uint64_t kMs = 1000000;

pid_t fork_agent(const Options& o, SharedBlock* shm, uint32_t idx, const std::string& dir) {
    pid_t pid = fork();
    if (pid == 0) {
        fflush(nullptr);
        _exit(run_agent(o, shm, idx, dir));
    }
    return pid;
}

// The unauthorized peer: not an agent, comm "intruder"; it connects to an
// agent's unix stream socket and sends valid-looking frames (spoofing a
// real agent id) through the fault window.
pid_t fork_intruder(const Options& o, SharedBlock* shm, uint32_t target, const std::string& dir) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    prctl(PR_SET_NAME, "intruder", 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    signal(SIGINT, SIG_IGN);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a = unix_address(stream_socket_path(dir, target));
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) _exit(1);
    std::vector<uint8_t> frame;
    uint8_t payload[64] = {};
    const uint64_t end = mono_ns() + uint64_t(std::max(0.05, o.fault_duration) * 1e9);
    uint64_t seq = 0;
    while (mono_ns() < end && !shm->exit_now.load()) {
        agen::AgenHeader h{};
        h.msg_type = uint32_t(agen::MsgType::REQUEST);
        h.priority = uint32_t(agen::Priority::HIGH);
        h.timestamp = mono_ns();
        h.sequence = ++seq;
        h.source_agent = target == 1 ? 2 : 1;  // claims to be a real agent
        h.target_count = 1;
        h.target_agents[0] = target;
        h.payload_len = sizeof payload;
        frame.clear();
        const size_t len = agen::encode_frame(h, payload, frame);
        if (send(fd, frame.data(), len, MSG_NOSIGNAL) != ssize_t(len)) break;
        shm->intruder_frames.fetch_add(1);
        shm->intruder_bytes.fetch_add(len);
        usleep(1000);
    }
    close(fd);
    _exit(0);
}

void remove_run_files(const Options& o, const RunRecord& run, bool remove_dir) {
    for (const auto& f : run.ring_files) unlink(("/dev/shm/" + f).c_str());
    // Ring files of any pid we forked (covers rings a killed agent had published).
    if (DIR* d = opendir("/dev/shm")) {
        const std::string prefix = "agent_ring_" + o.ns + "_";
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.rfind(prefix, 0) != 0) continue;
            for (const auto& ps : run.pids)
                for (int pid : ps)
                    if (n.rfind(prefix + std::to_string(pid) + "_", 0) == 0)
                        unlink(("/dev/shm/" + n).c_str());
        }
        closedir(d);
    }
    for (uint32_t id = 1; id <= run.pids.size(); ++id) {
        unlink(stream_socket_path(run.run_dir, id).c_str());
        unlink(dgram_socket_path(run.run_dir, id).c_str());
    }
    if (remove_dir) rmdir(run.run_dir.c_str());
}

}  // namespace

int run_bus(const Options& o) {
    RunRecord run;
    bool own_dir = false;
    if (o.run_dir.empty()) {
        char tmpl[] = "/tmp/agentbus-XXXXXX";
        if (!mkdtemp(tmpl)) {
            fprintf(stderr, "agentbus: cannot create a run dir in /tmp: %s\n", strerror(errno));
            return 1;
        }
        run.run_dir = tmpl;
        own_dir = true;
    } else {
        run.run_dir = o.run_dir;
        if (mkdir(run.run_dir.c_str(), 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "agentbus: --run-dir %s: %s\n", run.run_dir.c_str(), strerror(errno));
            return 1;
        }
    }
    if (stream_socket_path(run.run_dir, o.agents).size() >= sizeof(sockaddr_un{}.sun_path) - 8) {
        fprintf(stderr, "agentbus: --run-dir %s is too long for unix socket paths (108 bytes)\n",
                run.run_dir.c_str());
        return 1;
    }
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    void* mem = mmap(nullptr, sizeof(SharedBlock), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        fprintf(stderr, "agentbus: cannot map the shared stats block: %s\n", strerror(errno));
        return 1;
    }
    auto* shm = new (mem) SharedBlock();
    shm->nagents = o.agents;
    if (o.carrier_on[int(Carrier::kRing)]) {
        uint32_t r = 0;
        for (uint32_t i = 0; i < o.agents; ++i)
            for (uint32_t j : ring_neighbours(i, o.agents)) {
                shm->rings[r].producer = i;
                shm->rings[r].consumer = j;
                ++r;
            }
        shm->nrings = r;
    }

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);

    run.pids.resize(o.agents);
    std::vector<pid_t> pid_of(o.agents, 0);
    for (uint32_t i = 0; i < o.agents; ++i) {
        pid_of[i] = fork_agent(o, shm, i, run.run_dir);
        run.pids[i].push_back(pid_of[i]);
        shm->slots[i].alive.store(1);
    }

    pid_t intruder = 0;
    FaultTimeline timeline(o);
    std::vector<uint64_t> restart_at(o.agents, 0);
    uint64_t start = 0;
    // A crash the run asked for (degrade ends in SIGABRT): restart as after crash.
    auto crashed = [&](uint32_t i, uint64_t now) {
        ++run.crashes;
        if (!o.no_restart)
            restart_at[i] = now + uint64_t(o.restart_delay * 1e9);
        else
            shm->slots[i].done.store(1);
    };
    auto reap = [&](bool block) {
        for (;;) {
            int status = 0;
            pid_t p = waitpid(-1, &status, block ? 0 : WNOHANG);
            if (p <= 0) return;
            if (p == intruder) intruder = 0;
            for (uint32_t i = 0; i < o.agents; ++i) {
                if (pid_of[i] != p) continue;
                const uint64_t now = mono_ns();
                if (shm->slots[i].alive.load() && start &&
                    timeline.degrade_crashed(i, status, double(now - start) / 1e9)) {
                    shm->slots[i].alive.store(0);
                    shm->slots[i].listening.store(0);
                    crashed(i, now);
                } else if (shm->slots[i].alive.exchange(0)) {
                    ++run.unexpected_exits;
                    fprintf(stderr, "agentbus: agent %s (pid %d) exited unexpectedly (%s %d)\n",
                            agen::agent_name(i + 1).c_str(), p,
                            WIFSIGNALED(status) ? "signal" : "status",
                            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                }
                pid_of[i] = 0;
            }
        }
    };

    // Start barrier: every agent listens, has connected and waits for go.
    bool failed = false;
    const uint64_t setup_deadline = mono_ns() + 30000 * kMs;
    for (uint32_t i = 0; i < o.agents && !failed; ++i) {
        while (!shm->slots[i].connected.load(std::memory_order_acquire)) {
            reap(false);
            if (run.unexpected_exits || mono_ns() > setup_deadline || g_signals) {
                failed = true;
                break;
            }
            usleep(1000);
        }
    }
    if (!failed && !o.start_file.empty()) {
        // A test starts its observer at a moment of its choosing: the agents exist
        // (named, connected) but no frame has been sent yet.
        if (FILE* w = fopen((o.start_file + ".waiting").c_str(), "w")) fclose(w);
        while (access(o.start_file.c_str(), F_OK) != 0 && !g_signals) {
            reap(false);
            if (run.unexpected_exits) {
                failed = true;
                break;
            }
            usleep(10000);
        }
        if (g_signals) failed = true;
    }
    start = mono_ns();
    shm->start_ns.store(start);
    shm->go.store(1, std::memory_order_release);

    // Timed faults handled by the parent (the agents handle the others).
    const uint64_t fault_from = start + uint64_t(o.fault_start * 1e9);
    bool crash_done = false, intruder_started = false;
    uint64_t next_status = start + uint64_t(o.status_interval * 1e9);
    uint64_t all_done_at = 0, last_sent = ~0ull, last_status_recv = 0, last_status_ns = start;
    int stable = 0;
    int signals_seen = 0;

    while (!failed) {
        usleep(2000);
        const uint64_t now = mono_ns();
        reap(false);
        if (g_signals != signals_seen) {
            signals_seen = g_signals;
            shm->stop.store(1);
            if (signals_seen >= 2) break;  // second signal: stop without draining
        }
        if (!crash_done && now >= fault_from) {
            crash_done = true;
            for (const auto& f : o.faults) {
                if (f.kind != FaultKind::kCrash) continue;
                const uint32_t i = f.agent - 1;
                if (!pid_of[i]) continue;
                shm->slots[i].alive.store(0);
                shm->slots[i].listening.store(0);
                kill(pid_of[i], SIGKILL);
                waitpid(pid_of[i], nullptr, 0);
                pid_of[i] = 0;
                crashed(i, now);
            }
            for (const auto& f : o.faults) {
                // Clean restart: the agent exits 0 when asked and always comes back.
                if (f.kind != FaultKind::kRestart || !pid_of[f.agent - 1]) continue;
                const uint32_t i = f.agent - 1;
                shm->slots[i].alive.store(0);
                shm->slots[i].listening.store(0);
                shm->slots[i].quit.store(1);
                int status = 0;
                waitpid(pid_of[i], &status, 0);
                shm->slots[i].quit.store(0);
                timeline.clean_exit(i, status, double(mono_ns() - start) / 1e9);
                pid_of[i] = 0;
                restart_at[i] = now + uint64_t(o.restart_delay * 1e9);
            }
        }
        timeline.sample(now, start, *shm, pid_of);
        if (!intruder_started && now >= fault_from) {
            intruder_started = true;
            for (const auto& f : o.faults)
                if (f.kind == FaultKind::kUnauthorized)
                    intruder = fork_intruder(o, shm, f.agent, run.run_dir);
        }
        bool restarting = false;
        for (uint32_t i = 0; i < o.agents; ++i) {
            if (!restart_at[i]) continue;
            restarting = true;
            if (now < restart_at[i]) continue;
            restart_at[i] = 0;
            shm->slots[i].connected.store(0);
            shm->slots[i].alive.store(1);
            pid_of[i] = fork_agent(o, shm, i, run.run_dir);
            run.pids[i].push_back(pid_of[i]);
            ++run.restarts;
        }
        if (o.status_interval > 0 && now >= next_status) {
            next_status = now + uint64_t(o.status_interval * 1e9);
            const uint64_t s = total_sent(*shm), r = total_received(*shm);
            const double rate = double(r - last_status_recv) / (double(now - last_status_ns) / 1e9);
            last_status_recv = r;
            last_status_ns = now;
            const LatencySummary l = summarize_latency(merged_histogram(*shm));
            fprintf(stderr, "agentbus: %.1fs sent=%llu received=%llu rate=%.0f msg/s p99=%.3fms\n",
                    double(now - start) / 1e9, (unsigned long long)s, (unsigned long long)r, rate,
                    l.p99 * 1e3);
        }
        // End of run: every live agent has finished originating, no restart is
        // pending, and every frame sent has been received (stable over two looks),
        // or the drain timeout has passed (frames lost to faults).
        bool all_done = !restarting && !intruder;
        for (uint32_t i = 0; i < o.agents && all_done; ++i)
            if (shm->slots[i].alive.load() && !shm->slots[i].done.load()) all_done = false;
        if (!all_done) {
            all_done_at = 0;
            continue;
        }
        if (!all_done_at) all_done_at = now;
        const uint64_t s = total_sent(*shm), r = total_received(*shm);
        if (s == r && s == last_sent) {
            if (++stable >= 2) break;
        } else {
            stable = 0;
        }
        last_sent = s;
        if (now - all_done_at > uint64_t(o.drain_timeout * 1e9)) {
            fprintf(stderr, "agentbus: drain timeout: %llu frames sent were not received\n",
                    (unsigned long long)(s > r ? s - r : 0));
            break;
        }
    }
    const uint64_t end = mono_ns();
    shm->exit_now.store(1, std::memory_order_release);
    // Agents flush their counters and exit; give them a moment, then force.
    const uint64_t kill_at = mono_ns() + 5000 * kMs;
    for (;;) {
        reap(false);
        bool any = false;
        for (pid_t p : pid_of)
            if (p) any = true;
        if (!any) break;
        if (mono_ns() > kill_at) {
            for (pid_t p : pid_of)
                if (p) kill(p, SIGKILL);
            reap(true);
            break;
        }
        // Children exiting on exit_now are not unexpected.
        for (uint32_t i = 0; i < o.agents; ++i) shm->slots[i].alive.store(0);
        usleep(1000);
    }
    if (intruder) {
        kill(intruder, SIGKILL);
        waitpid(intruder, nullptr, 0);
    }
    run.duration_seconds = double(end - start) / 1e9;
    for (uint32_t r = 0; r < shm->nrings; ++r)
        if (shm->rings[r].name[0]) run.ring_files.emplace_back(shm->rings[r].name);

    int rc = failed ? 1 : 0;
    if (failed) fprintf(stderr, "agentbus: start-up failed (an agent could not set up)\n");
    run.fault_events = timeline.to_json();
    const nlohmann::json truth = build_truth(o, *shm, run);
    if (!o.truth.empty()) {
        std::ofstream f(o.truth);
        f << truth.dump(2) << "\n";
        if (!f) {
            fprintf(stderr, "agentbus: cannot write --truth %s\n", o.truth.c_str());
            rc = 1;
        }
    }
    fprintf(stderr,
            "agentbus: %.3fs sent=%llu received=%llu bytes_sent=%llu bytes_received=%llu "
            "throughput=%.0f msg/s p99=%.3fms\n",
            run.duration_seconds, (unsigned long long)truth["sent"].get<uint64_t>(),
            (unsigned long long)truth["received"].get<uint64_t>(),
            (unsigned long long)truth["bytes_sent"].get<uint64_t>(),
            (unsigned long long)truth["bytes_received"].get<uint64_t>(),
            truth["throughput_mps"].get<double>(),
            truth["latency_seconds"]["p99"].get<double>() * 1e3);
    remove_run_files(o, run, own_dir);
    munmap(mem, sizeof(SharedBlock));
    return rc;
}

}  // namespace agentbus
