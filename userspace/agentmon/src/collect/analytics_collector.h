#pragma once
// The analytics as a Collector, run after the transport and agent paths in the
// same tick: it reads what they left on the signal board (health inputs and
// each agent's activity), feeds one anomaly detector per agent signal and one
// failure predictor per agent process, and appends anomaly_detection_score,
// failure_prediction_score and the utilisation and bottleneck families. Memory
// is constant per series; an agent without a live process loses its series and
// its state (a restarted agent is a new process and starts afresh).
#include <map>
#include <memory>
#include <optional>

#include "analytics/agent_anomaly_scores.h"
#include "analytics/failure_predictor.h"
#include "collect/collector.h"
#include "collect/system_usage.h"
#include "collect/tick_context.h"
#include "collect/utilisation_families.h"
#include "config/config.h"

namespace agentmon {

class AnalyticsCollector : public Collector {
  public:
    AnalyticsCollector(const Config& config, std::shared_ptr<TickContext> context);

    std::string_view name() const override { return "analytics"; }
    Status collect(SnapshotBuilder& out) override;
    // The same, at a given monotonic time (tests drive the clock).
    void collect_at(double seconds, SnapshotBuilder& out);

  private:
    struct AgentState {
        std::uint32_t tgid = 0;
        analytics::AgentAnomalyScores scores;
        analytics::FailurePredictor predictor;
        std::optional<std::uint64_t> frames_before, errors_before;
        double seconds_before = 0;
    };
    analytics::AgentSignalValues signals_of(std::uint32_t id, const AgentActivity& a,
                                            AgentState& state, double seconds) const;

    AnalyticsConfig config_;
    analytics::AnomalyDetectorConfig detector_config_;
    analytics::FailurePredictorConfig predictor_config_;
    std::shared_ptr<TickContext> context_;
    std::map<std::uint32_t, AgentState> agents_;
    // agent_errors_total by agent id: counted here from deltas, so it never goes
    // backwards when a process restarts or a kernel map is recreated.
    struct ErrorCounts {
        double error_replies = 0, failed_calls = 0;
        std::optional<std::uint64_t> replies_before, calls_before;
    };
    std::map<std::uint32_t, ErrorCounts> errors_;
    void count_errors(std::uint32_t id, const AgentActivity& a, SnapshotBuilder& out);
    analytics::AgentAnomalyScores bus_scores_;
    std::optional<std::uint64_t> bus_frames_before_, bus_errors_before_;
    double bus_seconds_before_ = 0;
    SystemUsage system_;
    CarrierSends sends_before_;
};

}  // namespace agentmon
