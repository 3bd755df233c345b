#include "model/agent_tracker.h"

#include <algorithm>
#include <limits>

namespace agentmon {

std::uint64_t RunqHistogram::count() const {
    std::uint64_t n = 0;
    for (auto b : buckets) n += b;
    return n;
}

RunqHistogram& RunqHistogram::operator+=(const RunqHistogram& other) {
    for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i] += other.buckets[i];
    sum_ns += other.sum_ns;
    return *this;
}

ExitOutcome decode_exit(std::int32_t wait_status) {
    const int signal = wait_status & 0x7f;
    const int status = (wait_status >> 8) & 0xff;
    if (signal) return {AgentStatus::failed, 128 + signal, signal};
    return {status ? AgentStatus::failed : AgentStatus::exited, status, 0};
}

std::uint32_t AgentTracker::free_instance(const ProcIdentity& who) const {
    // Bounded so a broken identity cannot loop: 4096 instances of one type.
    constexpr std::uint32_t kMaxInstances = 4096;
    const std::uint32_t base = who.agent_id ? who.agent_id : who.agent_type;
    for (std::uint32_t k = 0; k < kMaxInstances; ++k) {
        const std::uint64_t id = std::uint64_t{base} + std::uint64_t{kAgentTypeCount} * k;
        if (id > std::numeric_limits<std::uint32_t>::max()) break;
        const auto candidate = static_cast<std::uint32_t>(id);
        if (k > 0 && registry_.type_of(candidate) != who.agent_type) continue;
        auto it = instances_.find(candidate);
        if (it == instances_.end() || !it->second.alive()) return candidate;
    }
    return base;  // every instance busy: share the base id rather than lose the process
}

void AgentTracker::adopt(const ProcSample& s, const ProcIdentity& who) {
    const std::uint32_t id = free_instance(who);
    auto [it, inserted] = instances_.try_emplace(id);
    AgentInstance& inst = it->second;
    if (inserted) {
        inst.id = id;
        inst.type = who.agent_type;
    } else {
        // The instance had a process before, and it has ended: this is its restart.
        inst.restarts += 1;
    }
    inst.tgid = s.tgid;
    inst.status = AgentStatus::running;
    inst.container = who.container;
    inst.pod = who.pod;
    inst.pod_namespace = who.pod_namespace;
    procs_[s.tgid] = Proc{id, s.cpu_ns, s.runq, false, true};
}

void AgentTracker::record_exit(Proc& p, const ProcSample& s) {
    p.exit_recorded = true;
    AgentInstance& inst = instances_[p.agent_id];
    if (inst.tgid != s.tgid) return;  // not its current process (cannot happen; be safe)
    const ExitOutcome end = decode_exit(s.exit_code);
    inst.tgid = 0;
    inst.status = end.status;
    inst.last_exit_code = end.code;
    inst.last_exit_signal = end.signal;
}

std::vector<std::uint32_t> AgentTracker::update(const AgentTick& tick) {
    std::vector<std::uint32_t> forget;
    std::map<std::uint32_t, const ProcSample*> seen;
    for (const auto& s : tick.procs) seen[s.tgid] = &s;

    // Owned processes whose kernel entry is gone: their last values are final.
    for (auto it = procs_.begin(); it != procs_.end();) {
        if (seen.count(it->first)) {
            ++it;
            continue;
        }
        Proc& p = it->second;
        ended_[p.agent_id].cpu_ns += p.cpu_ns;
        ended_[p.agent_id].runq += p.runq;
        AgentInstance& inst = instances_[p.agent_id];
        if (inst.tgid == it->first) {
            inst.tgid = 0;
            inst.status = AgentStatus::exited;  // how it ended was not seen
        }
        it = procs_.erase(it);
    }

    // Ends of known processes first, so a replacement in the same tick finds its
    // instance free and counts as a restart.
    std::vector<const ProcSample*> unknown;
    for (const auto& s : tick.procs) {
        auto it = procs_.find(s.tgid);
        if (it == procs_.end()) {
            unknown.push_back(&s);
            continue;
        }
        Proc& p = it->second;
        p.cpu_ns = s.cpu_ns;
        p.runq = s.runq;
        if (!s.exited) continue;
        if (!p.exit_recorded) {
            record_exit(p, s);
            continue;
        }
        ended_[p.agent_id].cpu_ns += p.cpu_ns;
        ended_[p.agent_id].runq += p.runq;
        procs_.erase(it);
        forget.push_back(s.tgid);
    }

    // New processes in the order they started: earlier ones take lower instances.
    std::stable_sort(unknown.begin(), unknown.end(), [](const auto* a, const auto* b) {
        return std::pair(a->start_ns, a->tgid) < std::pair(b->start_ns, b->tgid);
    });
    for (const ProcSample* s : unknown) {
        auto who = tick.identities.find(s->tgid);
        if (who == tick.identities.end()) {
            if (s->exited) forget.push_back(s->tgid);  // ended before any rule knew it
            continue;                                  // else wait for discovery
        }
        adopt(*s, who->second);
        if (s->exited) record_exit(procs_[s->tgid], *s);
    }
    refresh(tick.seconds, tick);
    return forget;
}

void AgentTracker::refresh(double seconds, const AgentTick& tick) {
    std::map<std::uint32_t, Totals> now = ended_;
    for (const auto& [tgid, p] : procs_) {
        now[p.agent_id].cpu_ns += p.cpu_ns;
        now[p.agent_id].runq += p.runq;
    }
    const double dt = last_seconds_ ? seconds - *last_seconds_ : 0;
    for (auto& [id, inst] : instances_) {
        const Totals& t = now[id];
        inst.cpu_seconds = static_cast<double>(t.cpu_ns) / 1e9;
        inst.runq = t.runq;
        inst.cpu_fraction = 0;
        inst.runq_delay_seconds.reset();
        inst.resident_bytes = 0;
        if (!inst.alive()) continue;
        Proc& p = procs_[inst.tgid];
        auto prev = previous_.find(id);
        std::uint64_t cpu_delta = 0;
        if (prev != previous_.end()) {
            cpu_delta = t.cpu_ns - std::min(t.cpu_ns, prev->second.cpu_ns);
            if (dt > 0) inst.cpu_fraction = static_cast<double>(cpu_delta) / 1e9 / dt;
            const std::uint64_t waits = t.runq.count() - prev->second.runq.count();
            if (waits)
                inst.runq_delay_seconds =
                    static_cast<double>(t.runq.sum_ns - prev->second.runq.sum_ns) / 1e9 /
                    static_cast<double>(waits);
        }
        // Running: it was on a CPU since the last tick (or is new); idle: it was not.
        inst.status = p.fresh || cpu_delta > 0 ? AgentStatus::running : AgentStatus::idle;
        p.fresh = false;
        if (auto rss = tick.resident_bytes.find(inst.tgid); rss != tick.resident_bytes.end())
            inst.resident_bytes = rss->second;
    }
    previous_ = std::move(now);
    last_seconds_ = seconds;
}

}  // namespace agentmon
