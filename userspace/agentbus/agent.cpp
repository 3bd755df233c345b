#include "agent.h"

#include <algorithm>

#include "agent_impl.h"

namespace agentbus {
namespace detail {

void Agent::flush_stats(bool hist) {
    for (uint32_t i = 0; i < kCtrCount; ++i)
        slot_->ctr[i].store(ctr_[i], std::memory_order_relaxed);
    if (hist)
        for (uint32_t i = 0; i < kHistBuckets; ++i)
            slot_->hist[i].store(hist_[i], std::memory_order_relaxed);
}

void Agent::loop() {
    std::vector<epoll_event> evs(256);
    uint32_t idle = 0;
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (n_ > uint32_t(std::max(1L, cores))) {
        spin_ = 4;
        yield_ = 8;
    }
    last_refill_ = mono_ns();
    // quit: the parent asked for a clean restart (exit 0, then a new process).
    while (!shm_->exit_now.load(std::memory_order_relaxed) &&
           !slot_->quit.load(std::memory_order_relaxed)) {
        uint64_t now = mono_ns();
        // A degrading agent skips reads more and more often: its backlog grows.
        const bool skip_read = degrade_tick(now);
        // Stalled consumer: for the window the agent reads nothing (no ring
        // drains, no socket reads), so its peers' queues and kernel buffers
        // fill; it still originates and writes, then resumes reading.
        const bool stall_fault = fault_active(FaultKind::kStall, now);
        const bool stalled = stall_fault || skip_read;
        if (stall_fault && last_stall_ns_) ctr_[kStalledNs] += now - last_stall_ns_;
        last_stall_ns_ = stall_fault ? now : 0;
        int work = originate(now);
        const bool saturated = work >= kOriginateBurst;
        if (!stalled) work += drain_rings();
        while (!delayed_.empty() && delayed_.front().due <= now) {
            const auto d = delayed_.front();
            delayed_.pop_front();
            send_reply(d.carrier, d.peer, d.type, d.seq, d.ctx);
            ++work;
        }
        if (stalled) {
            // No epoll while stalled (readable fds would wake it at once):
            // retry blocked writes instead of waiting for EPOLLOUT.
            for (Link* l : dirty_) l->blocked = false;
        } else if (sockets_) {
            int n = epoll_wait(ep_, evs.data(), int(evs.size()), 0);
            for (int i = 0; i < n; ++i) handle_event(evs[i]);
            work += n;
        }
        flush_links(!saturated);
        if (now >= next_periodic_) {
            next_periodic_ = now + kMs;
            if (fault_active(FaultKind::kMalformed, now) && now >= next_garbage_) {
                next_garbage_ = now + 2 * kMs;
                inject_garbage();
            }
            if (fault_active(FaultKind::kFlood, now) && now >= next_flood_) {
                next_flood_ = now + kMs;
                flood();
            }
            check_rings();
            if (now >= next_reconnect_) {
                next_reconnect_ = now + 100 * kMs;
                for (Carrier c : carriers_) {
                    if (c == Carrier::kRing) continue;
                    for (uint32_t p : peers_[int(c)]) {
                        Link& l = links_[int(c)][p];
                        l.blocked = false;  // belt and braces for a missed EPOLLOUT edge
                        if (!l.up && now >= l.retry_ns && shm_->slots[p].alive.load() &&
                            shm_->slots[p].listening.load()) {
                            connect_link(l);
                            if (l.up) ++ctr_[kReconnects];
                        }
                    }
                }
            }
            flush_stats(now >= next_hist_);
            if (now >= next_hist_) next_hist_ = now + 50 * kMs;
        }
        if (stalled) {
            if (!skip_read) usleep(work ? 20 : 200);  // degrade_tick has slept already
            continue;
        }
        if (work) {
            idle = 0;
            continue;
        }
        // Idle: poll a little, yield a little, then sleep. With more agents
        // than cores, spinning only steals the CPU from the agents with work,
        // so the spin and yield phases shrink to almost nothing.
        ++idle;
        if (idle < spin_) continue;
        if (idle < yield_) {
            sched_yield();
            continue;
        }
        // Nothing to do: sleep briefly. Rings cannot wake us, so the sleep stays short;
        // a slow agent's delayed reply wakes us when it is due, so the delay it adds
        // is the one asked for (--slow-ms), not that plus up to a sleep.
        long us = o_.carrier_on[int(Carrier::kRing)] ? 50 : 1000;
        if (!delayed_.empty()) {
            const uint64_t t = mono_ns();
            const uint64_t due = delayed_.front().due;
            us = std::min<long>(us, due > t ? long((due - t) / 1000) : 0);
        }
        if (sockets_) {
            timespec ts{0, us * 1000};
            int n = epoll_pwait2(ep_, evs.data(), int(evs.size()), &ts, nullptr);
            for (int i = 0; i < n; ++i) handle_event(evs[i]);
            if (n > 0) idle = 0;
        } else {
            timespec ts{0, us * 1000};
            nanosleep(&ts, nullptr);
        }
    }
}

int Agent::run() {
    if (!setup()) {
        flush_stats(true);
        return shm_->exit_now.load() ? 0 : 3;
    }
    loop();
    flush_stats(true);
    return 0;
}

}  // namespace detail

int run_agent(const Options& opt, SharedBlock* shm, uint32_t index, const std::string& run_dir) {
    detail::Agent a(opt, shm, index, run_dir);
    return a.run();
}

}  // namespace agentbus
