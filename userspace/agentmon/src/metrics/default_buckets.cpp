#include "metrics/default_buckets.h"

namespace agentmon {

std::vector<double> default_latency_buckets() {
    return {1e-6, 2.5e-6, 5e-6,  1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
            5e-3, 0.01,   0.025, 0.05, 0.1,    0.25, 0.5,  1,      2.5,  5,    10};
}

std::vector<double> default_size_buckets() {
    std::vector<double> b;
    for (double v = 64; v <= 16 * 1024 * 1024; v *= 2) b.push_back(v);
    return b;
}

}  // namespace agentmon
