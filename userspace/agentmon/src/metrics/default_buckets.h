#pragma once
// The histogram bounds agentmon uses unless the config names others: one place,
// so the socket path, the ring path and the config's defaults agree.
#include <vector>

namespace agentmon {

std::vector<double> default_latency_buckets();  // 1 us .. 10 s, 1-2.5-5 steps
std::vector<double> default_size_buckets();     // 64 B .. 16 MiB, powers of two

}  // namespace agentmon
