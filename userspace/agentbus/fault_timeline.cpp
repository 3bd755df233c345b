#include "fault_timeline.h"

#include <sys/wait.h>

#include <csignal>
#include <fstream>
#include <string>

#include "agent_types.h"
#include "truth.h"

namespace agentbus {

int64_t read_rss_kb(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (f >> key) {
        if (key == "VmRSS:") {
            int64_t kb = -1;
            f >> kb;
            return kb;
        }
        f.ignore(1 << 12, '\n');
    }
    return -1;
}

FaultTimeline::FaultTimeline(const Options& o) : o_(o) {
    for (const auto& f : o.faults) {
        if (f.kind == FaultKind::kDegrade) degrades_.push_back({f.agent, f.seconds});
        if (f.kind == FaultKind::kRestart) restarts_.push_back({f.agent});
        if (f.kind == FaultKind::kDegrade || f.kind == FaultKind::kBurst) sampling_ = true;
        const double end =
            o.fault_start + (f.kind == FaultKind::kDegrade ? f.seconds : o.fault_duration);
        if (end > sample_until_) sample_until_ = end;
    }
    sample_until_ += 1;  // a second past the last fault shows the way back to normal
}

bool FaultTimeline::degrade_crashed(uint32_t index, int wait_status, double seconds) {
    for (auto& d : degrades_) {
        if (d.agent != index + 1 || d.crash_seconds >= 0) continue;
        if (!WIFSIGNALED(wait_status) || WTERMSIG(wait_status) != SIGABRT) return false;
        d.crash_seconds = seconds;
        d.signal = WTERMSIG(wait_status);
        return true;
    }
    return false;
}

void FaultTimeline::clean_exit(uint32_t index, int wait_status, double seconds) {
    for (auto& r : restarts_) {
        if (r.agent != index + 1 || r.exit_seconds >= 0) continue;
        r.exit_seconds = seconds;
        r.exit_status =
            WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
        return;
    }
}

void FaultTimeline::sample(uint64_t now, uint64_t start, const SharedBlock& shm,
                           const std::vector<pid_t>& pid_of) {
    if (!sampling_ || now < next_sample_ || double(now - start) / 1e9 > sample_until_) return;
    next_sample_ = now + 100000000ull;
    Sample s{double(now - start) / 1e9, total_sent(shm), {}, {}, {}, {}};
    for (auto& d : degrades_) {
        const uint32_t i = d.agent - 1;
        // After the crash the slot still holds the dead process's gauges.
        const bool gone = d.crash_seconds >= 0 || !pid_of[i];
        const int64_t rss = gone ? -1 : read_rss_kb(pid_of[i]);
        if (rss > d.peak_rss_kb) d.peak_rss_kb = rss;
        if (rss >= 0 && d.first_rss_kb < 0) d.first_rss_kb = rss;
        s.rss_kb.push_back(rss);
        const auto& ctr = shm.slots[i].ctr;
        s.reply_delay_us.push_back(gone ? 0 : ctr[kDegradeDelayUs].load());
        s.errors.push_back(ctr[kDegradeErrors].load());
        s.held_kb.push_back(gone ? 0 : ctr[kDegradeHeldKb].load());
    }
    samples_.push_back(std::move(s));
}

nlohmann::json FaultTimeline::to_json() const {
    using nlohmann::json;
    json degrade = json::array();
    for (const auto& d : degrades_)
        degrade.push_back({{"agent", d.agent},
                           {"name", agen::agent_name(d.agent)},
                           {"start_seconds", o_.fault_start},
                           {"ramp_seconds", d.seconds},
                           {"expected_crash_seconds", o_.fault_start + d.seconds},
                           {"crash_seconds", d.crash_seconds >= 0 ? json(d.crash_seconds) : json()},
                           {"signal", d.signal},
                           {"first_rss_kb", d.first_rss_kb},
                           {"peak_rss_kb", d.peak_rss_kb}});
    json restart = json::array();
    for (const auto& r : restarts_)
        restart.push_back({{"agent", r.agent},
                           {"name", agen::agent_name(r.agent)},
                           {"exit_seconds", r.exit_seconds >= 0 ? json(r.exit_seconds) : json()},
                           {"exit_status", r.exit_status}});
    json samples = json::array();
    for (const auto& s : samples_)
        samples.push_back({{"t", s.t},
                           {"sent", s.sent},
                           {"rss_kb", s.rss_kb},
                           {"reply_delay_us", s.reply_delay_us},
                           {"errors", s.errors},
                           {"held_kb", s.held_kb}});
    return {{"degrade", degrade}, {"restart", restart}, {"timeline", samples}};
}

}  // namespace agentbus
