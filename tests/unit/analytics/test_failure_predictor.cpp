// The failure predictor on synthetic agents: a slow death (errors, latency,
// queue and memory ramping together) is predicted well before its end; a
// healthy agent, a burst, a slow but healthy agent and a single drifting input
// stay low.
#include <doctest/doctest.h>

#include <functional>

#include "analytics/failure_predictor.h"

using namespace agentmon::analytics;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// An agent whose inputs are given by `shape(t)`, one tick a second; returns the
// score at every tick.
std::vector<double> run(double seconds, const std::function<FailureInputs(double)>& shape,
                        double horizon = 60) {
    FailurePredictorConfig config;
    config.horizon_seconds = horizon;
    FailurePredictor predictor(config);
    std::vector<double> scores;
    for (double t = 0; t < seconds; t += 1) {
        FailureInputs in = shape(t);
        in.seconds = t;
        scores.push_back(predictor.update(in).probability);
    }
    return scores;
}

FailureInputs healthy(double t) {
    FailureInputs in;
    const double wobble = (static_cast<int>(t) % 5) * 0.2;
    in.health.queue_depth = 3 + wobble;
    in.health.cpu_fraction = 0.2;
    in.health.runq_delay_seconds = 0.0002;
    in.error_frame_ratio = 0.03 + wobble * 0.002;
    in.latency_p99_seconds = 0.0008 + wobble * 0.0001;
    in.resident_bytes = 8 * kMiB + wobble * 0.1 * kMiB;
    return in;
}

// The degrade fault's shape: from `start`, over `ramp` seconds, errors up by 15
// points, latency to 50 ms, queue to 150 frames, 128 MiB more memory.
FailureInputs degrading(double t, double start, double ramp) {
    FailureInputs in = healthy(t);
    const double p = t < start ? 0 : (t - start) / ramp;
    *in.error_frame_ratio += 0.15 * p;
    *in.latency_p99_seconds += 0.050 * p;
    *in.health.queue_depth += 150 * p;
    *in.resident_bytes += 128 * kMiB * p;
    return in;
}

double max_over(const std::vector<double>& v, std::size_t from, std::size_t to) {
    double m = 0;
    for (std::size_t i = from; i < to && i < v.size(); ++i) m = std::max(m, v[i]);
    return m;
}

}  // namespace

TEST_CASE("failure predictor: a healthy agent stays low") {
    const auto s = run(600, healthy);
    CHECK(max_over(s, 0, s.size()) < 0.05);
}

TEST_CASE("failure predictor: a slow death crosses 0.8 more than 30 s before its end") {
    for (double ramp : {60.0, 90.0, 120.0}) {
        CAPTURE(ramp);
        const double start = 120;
        const auto s = run(start + ramp, [&](double t) { return degrading(t, start, ramp); });
        CHECK(max_over(s, 0, static_cast<std::size_t>(start)) < 0.05);
        std::size_t first = s.size();
        for (std::size_t i = 0; i < s.size(); ++i)
            if (s[i] >= 0.8) {
                first = i;
                break;
            }
        CHECK(static_cast<double>(first) <= start + ramp - 30);
    }
}

TEST_CASE("failure predictor: one input alone (a slow but healthy agent) stays under 0.5") {
    const auto s = run(400, [](double t) {
        FailureInputs in = healthy(t);
        if (t >= 120) *in.latency_p99_seconds = 0.050;  // a step: slow from now on
        return in;
    });
    CHECK(max_over(s, 0, s.size()) < 0.5);
    const auto drift = run(400, [](double t) {
        FailureInputs in = healthy(t);
        if (t >= 120) *in.resident_bytes += (t - 120) * 0.5 * kMiB;  // a growing cache
        return in;
    });
    CHECK(max_over(drift, 0, drift.size()) < 0.5);
}

TEST_CASE("failure predictor: a load burst (4x for 1 s in 3) does not trip it") {
    const auto s = run(400, [](double t) {
        FailureInputs in = healthy(t);
        if (t >= 120 && t < 240 && static_cast<int>(t) % 3 == 0) {
            *in.health.queue_depth *= 8;
            *in.latency_p99_seconds *= 3;
        }
        return in;
    });
    CHECK(max_over(s, 0, s.size()) < 0.5);
}

TEST_CASE("failure predictor: health already under 20 is a failure now") {
    const auto s = run(100, [](double t) {
        FailureInputs in = healthy(t);
        if (t >= 60) in.health.error_ratio = 0.5, in.health.seconds_since_sent = 90;
        return in;
    });
    CHECK(s.back() > 0.8);
}

TEST_CASE("failure predictor: nothing during the grace period of a new process") {
    const auto s = run(29, [](double t) { return degrading(t, 0, 30); });
    CHECK(max_over(s, 0, s.size()) == 0);
}

TEST_CASE("failure predictor: thresholds follow the baseline") {
    CHECK(failure_threshold(FailureInput::errors, 0.03) == doctest::Approx(0.08));
    CHECK(failure_threshold(FailureInput::queue, 2) == doctest::Approx(100));
    CHECK(failure_threshold(FailureInput::latency, 0.01) == doctest::Approx(0.1));
    CHECK(failure_threshold(FailureInput::memory, 100 * kMiB) == doctest::Approx(200 * kMiB));
}
