#include "analytics/health.h"

#include <algorithm>

namespace agentmon {

namespace {

// Two-step penalty: `high` above `hi`, `low` above `lo`, else 0.
double steps(const std::optional<double>& v, double lo, double low, double hi, double high) {
    if (!v) return 0;
    if (*v > hi) return high;
    if (*v > lo) return low;
    return 0;
}

}  // namespace

HealthPenalties health_penalties(const HealthInputs& in) {
    HealthPenalties p;
    if (in.error_ratio) {
        // The availability SLO allows 0.1 % errors: no penalty up to there, the full
        // 40 at 10 % (a hundred times the budget), linear between.
        const double over = (*in.error_ratio - 0.001) / (0.10 - 0.001);
        p.errors = 40 * std::clamp(over, 0.0, 1.0);
    }
    p.queue = steps(in.queue_depth, 50, 15, 100, 30);
    p.starvation = steps(in.runq_delay_seconds, 0.010, 10, 0.050, 20);
    p.cpu = steps(in.cpu_fraction, 0.60, 10, 0.80, 20);
    if (in.unanswered_requests) p.unanswered = std::clamp(2 * *in.unanswered_requests, 0.0, 20.0);
    p.silence = steps(in.seconds_since_sent, 30, 25, 60, 50);
    return p;
}

double health_score(const HealthInputs& in) {
    if (!in.alive) return 0;
    return std::clamp(100 - health_penalties(in).total(), 0.0, 100.0);
}

}  // namespace agentmon
