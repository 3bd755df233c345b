#include "kernel/agent_state_procfs.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "base/procfs.h"

namespace agentmon {

namespace {

// The run-queue slot of a mean delay: the smallest slot whose bound 2^slot us
// holds it, as the kernel's iterator places it (abi/agent_state.h).
std::uint32_t runq_slot(std::uint64_t delay_ns) {
    const std::uint64_t us = delay_ns / 1000;
    std::uint32_t slot = 0;
    while (slot < RUNQ_SLOTS - 1 && runq_slot_bound_us(slot) < us) ++slot;
    return slot;
}

std::vector<std::uint32_t> thread_ids(const std::string& task_dir) {
    std::vector<std::uint32_t> tids;
    DIR* dir = opendir(task_dir.c_str());
    if (!dir) return tids;
    while (const dirent* e = readdir(dir)) {
        std::uint32_t tid = 0;
        const char* end = e->d_name + std::strlen(e->d_name);
        auto [p, ec] = std::from_chars(e->d_name, end, tid);
        if (ec == std::errc() && p == end && tid) tids.push_back(tid);
    }
    closedir(dir);
    return tids;
}

}  // namespace

AgentStateProcfs::AgentStateProcfs(std::string proc_root) : proc_root_(std::move(proc_root)) {
    const long hz = sysconf(_SC_CLK_TCK);
    if (hz > 0) ns_per_tick_ = 1'000'000'000ull / static_cast<std::uint64_t>(hz);
}

void AgentStateProcfs::mark(const std::map<std::uint32_t, AgentTask>& tasks) {
    for (const auto& [tid, task] : tasks) {
        if (!task.host_pid || !task.pid || watched_.count(task.host_pid)) continue;
        Watched w;
        w.pid = task.pid;
        std::memcpy(w.proc.comm, task.comm.data(),
                    std::min(task.comm.size(), sizeof(w.proc.comm) - 1));
        w.proc.flags = AGENT_PROC_FROM_USER;
        watched_.emplace(task.host_pid, std::move(w));
    }
}

void AgentStateProcfs::add_thread(Watched& w, std::uint32_t tid,
                                  std::map<std::uint32_t, ThreadSeen>& seen) {
    std::string text;
    const std::string base =
        proc_root_ + "/" + std::to_string(w.pid) + "/task/" + std::to_string(tid);
    if (!read_small_file(base + "/schedstat", text, 128)) return;
    const auto now = parse_schedstat(text);
    if (!now) return;
    // A thread first seen counts its whole past, as a thread the kernel marks late.
    const auto known = w.threads.find(tid);
    const ThreadSeen before = known != w.threads.end() ? known->second : ThreadSeen{};
    if (now->runtime_ns > before.runtime_ns) w.usage.cpu_ns += now->runtime_ns - before.runtime_ns;
    if (now->timeslices > before.timeslices) {
        const std::uint64_t waits = now->timeslices - before.timeslices;
        const std::uint64_t waited =
            now->run_delay_ns > before.run_delay_ns ? now->run_delay_ns - before.run_delay_ns : 0;
        w.usage.runq[runq_slot(waited / waits)] += waits;
        w.usage.runq_sum_ns += waited;
    }
    seen[tid] = ThreadSeen{std::max(now->runtime_ns, before.runtime_ns),
                           std::max(now->run_delay_ns, before.run_delay_ns),
                           std::max(now->timeslices, before.timeslices)};
}

bool AgentStateProcfs::read_process(Watched& w) {
    std::string text;
    const std::string dir = proc_root_ + "/" + std::to_string(w.pid);
    if (!read_small_file(dir + "/stat", text, 4096)) return false;
    const auto stat = parse_proc_stat(text);
    if (!stat) return false;
    const std::uint64_t start_ns = stat->start_ticks * ns_per_tick_;
    // The pid now names another process: the watched one is gone.
    if (w.proc.sampled && w.proc.start_ns != start_ns) return false;
    w.proc.start_ns = start_ns;
    if (stat->state == 'Z' || stat->state == 'X') {
        w.proc.flags |= AGENT_PROC_EXITED;
        w.proc.exit_code = stat->exit_code.value_or(0);
        w.proc.nr_threads = 0;
        w.proc.rss_pages = 0;
        return true;
    }
    std::map<std::uint32_t, ThreadSeen> seen;
    for (std::uint32_t tid : thread_ids(dir + "/task")) add_thread(w, tid, seen);
    w.threads = std::move(seen);
    w.proc.rss_pages = static_cast<std::uint64_t>(std::max<std::int64_t>(stat->rss_pages, 0));
    w.proc.nr_threads = stat->num_threads;
    w.proc.sampled = 1;
    return true;
}

AgentStateReading AgentStateProcfs::read() {
    AgentStateReading reading;
    exits_.drain([this](std::uint32_t tgid) { return watched_.count(tgid) != 0; });
    for (auto it = watched_.begin(); it != watched_.end();) {
        Watched& w = it->second;
        const bool fresh = !w.proc.sampled;
        const bool alive = read_process(w);
        const auto status = exits_.take_status(it->first);
        if (!alive && status && w.proc.sampled) {
            // Reaped since the last read: /proc has nothing, the connector told how.
            w.proc.flags |= AGENT_PROC_EXITED;
            w.proc.exit_code = *status;
        } else if (!alive || (fresh && ended_.count({it->first, w.proc.start_ns}))) {
            it = watched_.erase(it);
            continue;
        } else if (status && (w.proc.flags & AGENT_PROC_EXITED)) {
            w.proc.exit_code = *status;  // a zombie: the same status, from the source
        }
        AgentProcReading r;
        r.tgid = it->first;
        r.proc = w.proc;
        r.usage = w.usage;
        reading.procs.push_back(r);
        ++it;
    }
    return reading;
}

void AgentStateProcfs::forget(const std::vector<std::uint32_t>& tgids) {
    for (std::uint32_t tgid : tgids) {
        auto it = watched_.find(tgid);
        if (it == watched_.end()) continue;
        ended_.emplace(tgid, it->second.proc.start_ns);
        watched_.erase(it);
    }
    // Bounded, lowest pids first: an entry only stops a stale discovery entry
    // from bringing an ended process back, and discovery drops those within a scan.
    while (ended_.size() > std::size_t{4} * AGENT_PROCS_MAX) ended_.erase(ended_.begin());
}

}  // namespace agentmon
