#pragma once
// A deterministic Nelder-Mead simplex minimiser: the forecaster fits its
// smoothing parameters with it. Deterministic (fixed start, fixed steps, no
// randomness) so the same history always gives the same forecast.
#include <functional>
#include <vector>

namespace agentmon::analytics {

struct MinimizeResult {
    std::vector<double> x;
    double value = 0;
    int evaluations = 0;
};

// Minimises f from start; step is the initial simplex edge along each axis.
// Stops when the simplex's values agree within tolerance or after
// max_evaluations calls of f.
MinimizeResult nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                           const std::vector<double>& start, double step, int max_evaluations = 600,
                           double tolerance = 1e-10);

}  // namespace agentmon::analytics
