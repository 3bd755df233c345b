#pragma once
// Synthetic series for the forecasting tests: a known truth plus seeded
// Gaussian noise, so every run sees the same numbers.
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <vector>

namespace analytics_test {

struct Series {
    std::vector<double> history;  // truth + noise, samples 0..n-1
    std::vector<double> future;   // truth + noise, samples n..n+h-1
    std::vector<double> truth;    // noise-free, for samples n..n+h-1
};

inline Series make_series(const std::function<double(double)>& truth, size_t n, size_t h,
                          double noise_sd, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, noise_sd);
    Series s;
    for (size_t t = 0; t < n + h; ++t) {
        double v = truth(double(t));
        double observed = v + noise(rng);
        if (t < n) {
            s.history.push_back(observed);
        } else {
            s.future.push_back(observed);
            s.truth.push_back(v);
        }
    }
    return s;
}

inline double daily_wave(double t, double period, double amplitude) {
    return amplitude * std::sin(2 * std::numbers::pi * t / period);
}

}  // namespace analytics_test
