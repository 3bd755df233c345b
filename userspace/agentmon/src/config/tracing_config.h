#pragma once
// The tracing part of the config file (docs/tracing.md):
//   "tracing": {"endpoint": "http://127.0.0.1:4318/v1/traces", "sample_ratio": 0.01,
//               "context": true, "queue_spans": 16384}
// Tracing is off without an endpoint.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace agentmon {

inline constexpr double kMinSampleRatio = 0.001;
inline constexpr double kMaxSampleRatio = 1.0;

struct TracingConfig {
    std::string endpoint;  // OTLP/HTTP traces URL; "" = tracing off
    double sample_ratio = 0.01;
    // Read the trace context convention of the AGEN header's reserved bytes
    // (bpf/abi/trace_context.h): links a request to the one that caused it.
    bool context = true;
    // Spans waiting for export at most; more are dropped and counted.
    std::size_t queue_spans = 16384;

    bool enabled() const { return !endpoint.empty(); }
    // ratio * 2^32, the kernel's sampling threshold; 0 when tracing is off.
    std::uint64_t kernel_threshold() const;
    std::vector<std::string> validate() const;
};

void apply_tracing_config(const nlohmann::json& doc, TracingConfig& config,
                          std::vector<std::string>& problems);

}  // namespace agentmon
