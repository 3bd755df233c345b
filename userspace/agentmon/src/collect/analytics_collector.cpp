#include "collect/analytics_collector.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "collect/utilisation_families.h"

namespace agentmon {

namespace {

using analytics::AgentSignal;

std::size_t at(AgentSignal s) { return static_cast<std::size_t>(s); }

// Frames and ERROR frames since the last tick into a rate and a share.
void rates(std::optional<std::uint64_t> frames, std::optional<std::uint64_t> errors,
           std::optional<std::uint64_t>& frames_before, std::optional<std::uint64_t>& errors_before,
           double dt, analytics::AgentSignalValues& out) {
    if (frames && frames_before && *frames >= *frames_before && dt > 0) {
        const double sent = static_cast<double>(*frames - *frames_before);
        out[at(AgentSignal::message_rate)] = sent / dt;
        if (errors && errors_before && *errors >= *errors_before && sent > 0)
            out[at(AgentSignal::error_ratio)] =
                static_cast<double>(*errors - *errors_before) / sent;
    }
    frames_before = frames;
    errors_before = errors;
}

}  // namespace

AnalyticsCollector::AnalyticsCollector(const Config& config, std::shared_ptr<TickContext> context)
    : config_(config.analytics), context_(std::move(context)) {
    detector_config_.warmup_points = config_.anomaly_warmup_points;
    predictor_config_.horizon_seconds =
        std::chrono::duration<double>(config_.prediction_horizon).count();
    bus_scores_ = analytics::AgentAnomalyScores(detector_config_);
}

Status AnalyticsCollector::collect(SnapshotBuilder& out) {
    collect_at(monotonic_seconds(), out);
    return Status::success();
}

analytics::AgentSignalValues AnalyticsCollector::signals_of(std::uint32_t id,
                                                            const AgentActivity& a,
                                                            AgentState& state,
                                                            double seconds) const {
    analytics::AgentSignalValues v{};
    rates(a.frames_sent, a.error_frames_sent, state.frames_before, state.errors_before,
          seconds - state.seconds_before, v);
    state.seconds_before = seconds;
    const auto& board = context_->signals->by_agent;
    const auto health = board.find(id);
    if (!v[at(AgentSignal::error_ratio)] && health != board.end())
        v[at(AgentSignal::error_ratio)] = health->second.error_ratio;
    v[at(AgentSignal::latency_p99)] = a.latency_p99_seconds;
    if (health != board.end()) v[at(AgentSignal::queue_depth)] = health->second.queue_depth;
    v[at(AgentSignal::cpu)] = a.cpu_fraction;
    return v;
}

void AnalyticsCollector::count_errors(std::uint32_t id, const AgentActivity& a,
                                      SnapshotBuilder& out) {
    ErrorCounts& c = errors_[id];
    const auto grow = [](const std::optional<std::uint64_t>& now,
                         std::optional<std::uint64_t>& before, double& total) {
        if (!now) return;
        // A smaller count is a recreated map: what it holds now is all new.
        total += static_cast<double>(before && *now >= *before ? *now - *before : *now);
        before = now;
    };
    grow(a.error_frames_sent, c.replies_before, c.error_replies);
    grow(a.failed_calls, c.calls_before, c.failed_calls);
    const std::string type(agent_type_name(a.type ? a.type : context_->registry.type_of(id)));
    const std::string name = context_->registry.instance_name(id);
    out.add(Family::agent_errors_total, c.error_replies,
            {{"agent_type", type}, {"agent_id", name}, {"error_type", "error_reply"}});
    out.add(Family::agent_errors_total, c.failed_calls,
            {{"agent_type", type}, {"agent_id", name}, {"error_type", "failed_call"}});
}

void AnalyticsCollector::collect_at(double seconds, SnapshotBuilder& out) {
    const AgentSignalBoard& board = *context_->signals;
    // Samples are gathered first and the families made last: a family reference
    // does not survive the builder adding another family.
    using Samples = std::vector<std::pair<double, SnapshotBuilder::Labels>>;
    Samples anomaly, prediction, evidence;

    std::set<std::uint32_t> live;
    BusTotals bus;
    for (const auto& [id, a] : board.activity) {
        if (!a.seen_by_agent_path || a.tgid == 0) continue;
        live.insert(id);
        auto it = agents_.find(id);
        if (it == agents_.end() || it->second.tgid != a.tgid)
            it = agents_
                     .insert_or_assign(id,
                                       AgentState{a.tgid,
                                                  analytics::AgentAnomalyScores(detector_config_),
                                                  analytics::FailurePredictor(predictor_config_),
                                                  {},
                                                  {},
                                                  seconds})
                     .first;
        AgentState& state = it->second;
        const auto values = signals_of(id, a, state, seconds);
        const auto scores = state.scores.update(seconds, values);
        bus.add(a, values);

        const SnapshotBuilder::Labels labels{{"agent_type", std::string(agent_type_name(a.type))},
                                             {"agent_id", context_->registry.instance_name(id)}};
        for (std::size_t s = 0; s < analytics::kAgentSignals; ++s) {
            if (!scores[s]) continue;
            auto with = labels;
            with["signal"] = std::string(analytics::agent_signal_name(static_cast<AgentSignal>(s)));
            anomaly.emplace_back(*scores[s], with);
        }

        analytics::FailureInputs in;
        in.seconds = seconds;
        if (auto h = board.by_agent.find(id); h != board.by_agent.end()) in.health = h->second;
        in.health.alive = true;
        in.health.cpu_fraction = a.cpu_fraction;
        in.health.runq_delay_seconds = a.runq_delay_seconds;
        in.error_frame_ratio = values[at(AgentSignal::error_ratio)];
        in.latency_p99_seconds = a.latency_p99_seconds;
        in.resident_bytes = a.resident_bytes;
        in.anomaly = state.scores.evidence();
        const auto p = state.predictor.update(in);
        prediction.emplace_back(p.probability, labels);
        for (const auto& [term, value] :
             {std::pair{"trend", p.trend_evidence}, std::pair{"deficit", p.deficit},
              std::pair{"anomaly", in.anomaly}}) {
            auto with = labels;
            with["term"] = term;
            evidence.emplace_back(value, with);
        }
    }
    // An agent without a live process keeps no series and no state.
    std::erase_if(agents_, [&](const auto& entry) { return !live.count(entry.first); });

    if (!live.empty()) {
        analytics::AgentSignalValues values{};
        rates(bus.frames, bus.errors, bus_frames_before_, bus_errors_before_,
              seconds - bus_seconds_before_, values);
        bus_seconds_before_ = seconds;
        values[at(AgentSignal::latency_p99)] = bus.latency_p99;
        values[at(AgentSignal::queue_depth)] = bus.queue_depth;
        values[at(AgentSignal::cpu)] = bus.cpu;
        const auto scores = bus_scores_.update(seconds, values);
        double system = 0;
        for (const auto& s : scores) system = std::max(system, s.value_or(0));
        anomaly.emplace_back(system, SnapshotBuilder::Labels{{"signal", "system"}});
        bus.message_rate = values[at(AgentSignal::message_rate)];
    }
    for (const auto& [id, samples] : {std::pair{Family::anomaly_detection_score, &anomaly},
                                      std::pair{Family::failure_prediction_score, &prediction},
                                      std::pair{Family::failure_prediction_evidence, &evidence}}) {
        auto& family = out.family(id);
        for (const auto& [value, labels] : *samples)
            SnapshotBuilder::add_sample(family, value, labels);
    }
    for (const auto& [id, a] : board.activity)
        if (a.error_frames_sent || a.failed_calls || errors_.count(id)) count_errors(id, a, out);
    system_.update();
    emit_utilisation(config_, context_->registry, board, bus, system_, sends_before_, out);
}

}  // namespace agentmon
