#include "config/tracing_config.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace agentmon {

std::uint64_t TracingConfig::kernel_threshold() const {
    if (!enabled()) return 0;
    const double ratio = std::fmin(std::fmax(sample_ratio, kMinSampleRatio), kMaxSampleRatio);
    return static_cast<std::uint64_t>(std::llround(ratio * 4294967296.0));
}

std::vector<std::string> TracingConfig::validate() const {
    std::vector<std::string> problems;
    if (!(sample_ratio >= kMinSampleRatio && sample_ratio <= kMaxSampleRatio))
        problems.push_back("tracing.sample_ratio: must be within 0.001 and 1.0, got " +
                           std::to_string(sample_ratio));
    if (!endpoint.empty() && endpoint.rfind("http://", 0) != 0 &&
        endpoint.rfind("https://", 0) != 0)
        problems.push_back(
            "tracing.endpoint: expected an http:// or https:// URL such as "
            "\"http://127.0.0.1:4318/v1/traces\", got \"" +
            endpoint + "\"");
    if (queue_spans < 1 || queue_spans > 1000000)
        problems.push_back("tracing.queue_spans: must be within 1 and 1000000, got " +
                           std::to_string(queue_spans));
    return problems;
}

void apply_tracing_config(const nlohmann::json& doc, TracingConfig& config,
                          std::vector<std::string>& problems) {
    if (!doc.contains("tracing")) return;
    const nlohmann::json& value = doc.at("tracing");
    if (!value.is_object()) {
        problems.push_back(
            "tracing: expected an object like {\"endpoint\": "
            "\"http://127.0.0.1:4318/v1/traces\"}, got " +
            value.dump());
        return;
    }
    for (const auto& [key, field] : value.items()) {
        const std::string name = "tracing." + key;
        if (key == "endpoint" && field.is_string()) {
            config.endpoint = field.get<std::string>();
        } else if (key == "sample_ratio" && field.is_number()) {
            config.sample_ratio = field.get<double>();
        } else if (key == "context" && field.is_boolean()) {
            config.context = field.get<bool>();
        } else if (key == "queue_spans" && field.is_number_unsigned()) {
            config.queue_spans = static_cast<std::size_t>(field.get<std::uint64_t>());
        } else if (key == "endpoint" || key == "sample_ratio" || key == "context" ||
                   key == "queue_spans") {
            problems.push_back(name + ": wrong type, got " + field.dump());
        } else {
            problems.push_back(name +
                               ": unknown key (expected endpoint, sample_ratio, context, "
                               "queue_spans)");
        }
    }
}

}  // namespace agentmon
