#include "analytics/forecast_optimizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace agentmon::analytics {

namespace {

struct Vertex {
    std::vector<double> x;
    double value;
};

std::vector<double> along(const std::vector<double>& from, const std::vector<double>& to,
                          double t) {
    std::vector<double> out(from.size());
    for (size_t i = 0; i < from.size(); ++i) out[i] = from[i] + t * (to[i] - from[i]);
    return out;
}

}  // namespace

MinimizeResult nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                           const std::vector<double>& start, double step, int max_evaluations,
                           double tolerance) {
    const size_t n = start.size();
    int evaluations = 0;
    auto eval = [&](const std::vector<double>& x) {
        ++evaluations;
        double v = f(x);
        return std::isfinite(v) ? v : HUGE_VAL;
    };
    std::vector<Vertex> simplex;
    simplex.push_back({start, eval(start)});
    for (size_t i = 0; i < n; ++i) {
        auto x = start;
        x[i] += step;
        simplex.push_back({x, eval(x)});
    }
    auto by_value = [](const Vertex& a, const Vertex& b) { return a.value < b.value; };
    while (evaluations < max_evaluations) {
        std::sort(simplex.begin(), simplex.end(), by_value);
        const double spread = simplex.back().value - simplex.front().value;
        if (spread <= tolerance * (std::fabs(simplex.front().value) + tolerance)) break;

        std::vector<double> centroid(n, 0.0);
        for (size_t v = 0; v < n; ++v)
            for (size_t i = 0; i < n; ++i) centroid[i] += simplex[v].x[i] / double(n);
        Vertex& worst = simplex.back();
        // Standard coefficients: reflect 1, expand 2, contract 0.5, shrink 0.5.
        auto reflected = along(centroid, worst.x, -1.0);
        double fr = eval(reflected);
        if (fr < simplex.front().value) {
            auto expanded = along(centroid, worst.x, -2.0);
            double fe = eval(expanded);
            worst = fe < fr ? Vertex{expanded, fe} : Vertex{reflected, fr};
        } else if (fr < simplex[n - 1].value) {
            worst = {reflected, fr};
        } else {
            bool outside = fr < worst.value;
            auto contracted = along(centroid, outside ? reflected : worst.x, 0.5);
            double fc = eval(contracted);
            if (fc < std::min(fr, worst.value)) {
                worst = {contracted, fc};
            } else {
                for (size_t v = 1; v <= n; ++v) {
                    simplex[v].x = along(simplex[0].x, simplex[v].x, 0.5);
                    simplex[v].value = eval(simplex[v].x);
                }
            }
        }
    }
    std::sort(simplex.begin(), simplex.end(), by_value);
    return {simplex.front().x, simplex.front().value, evaluations};
}

}  // namespace agentmon::analytics
