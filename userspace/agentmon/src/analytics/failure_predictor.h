#pragma once
// failure_prediction_score for one agent process: the probability that it fails
// (exits abnormally, stops answering, or its health falls under 20) within the
// next `horizon_seconds`. The method, its weights and their reasons are in
// docs/analytics.md ("Failure prediction"); in short:
//
//   1. Each health input that real agents die of (errors, queue, latency,
//      memory, run-queue wait, unanswered requests) has a straight-line trend
//      (TrendLine, time constant horizon/4) and a learned baseline; its failure
//      threshold is a fixed multiple of, or offset from, that baseline.
//   2. For each input: how close the trend brings it to its threshold within the
//      horizon, 0 (never, or the slope is noise) .. 1 (there already).
//   3. A slow death moves several inputs at once; a benign disturbance (a burst,
//      a slow but healthy agent) moves one. The trend evidence is the mean of
//      the two closest inputs, so one input alone gives at most half.
//   4. Evidence, the health deficit now and the anomaly scores are combined
//      through a logistic link: p = 1 / (1 + exp(-(b0 + w . x))).
//
// Constant memory, deterministic, one instance per process (a restart starts a
// new one: a new process has no trend yet).
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "analytics/health.h"
#include "analytics/trend_line.h"

namespace agentmon::analytics {

struct FailurePredictorConfig {
    double horizon_seconds = 300;
    // No prediction (score 0) for a process younger than this share of the
    // horizon: its memory and queues are still filling, which is not a trend.
    double grace_share = 0.5;
    // Logistic link. Why these values: docs/analytics.md.
    double bias = -4.5;
    double trend_weight = 6.0;
    double deficit_weight = 6.0;
    double anomaly_weight = 1.5;
};

// One tick's view of one agent process.
struct FailureInputs {
    double seconds = 0;  // monotonic time of the tick
    HealthInputs health;
    std::optional<double> error_frame_ratio;    // ERROR frames / frames sent, last tick
    std::optional<double> latency_p99_seconds;  // processing time, last tick
    std::optional<double> resident_bytes;
    double anomaly = 0;  // the agent's anomaly evidence in [0, 1]
};

enum class FailureInput : std::size_t {
    errors,
    queue,
    latency,
    memory,
    runqueue,
    unanswered,
    count
};
std::string_view failure_input_name(FailureInput input);

struct FailurePrediction {
    double probability = 0;
    double health = 100;
    double trend_evidence = 0;  // mean of the two closest inputs, 0..1
    double deficit = 0;         // (80 - health) / 60, 0..1
    std::array<double, static_cast<std::size_t>(FailureInput::count)> closeness{};
    FailureInput leading = FailureInput::errors;  // the closest input
};

class FailurePredictor {
  public:
    explicit FailurePredictor(FailurePredictorConfig config = {});

    FailurePrediction update(const FailureInputs& in);

  private:
    struct Tracked {
        explicit Tracked(double tau) : line(tau) {}
        TrendLine line;
        double baseline = 0;
        bool seen = false;
    };
    double closeness(Tracked& t, FailureInput which, double seconds, double value);

    FailurePredictorConfig config_;
    std::optional<double> first_seconds_;
    std::array<Tracked, static_cast<std::size_t>(FailureInput::count)> inputs_;
};

// The threshold an input's failure is declared at, from its baseline.
double failure_threshold(FailureInput input, double baseline);

}  // namespace agentmon::analytics
