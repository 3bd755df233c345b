#include "config/ring_config.h"

#include <nlohmann/json.hpp>

#include "abi/ring_reader.h"
#include "config/json_fields.h"

namespace agentmon {

std::vector<std::string> RingConfig::validate() const {
    std::vector<std::string> problems;
    if (file_prefix.empty() || file_prefix.front() != '/')
        problems.push_back("ring_path.file_prefix: must be an absolute path prefix, got \"" +
                           file_prefix + "\"");
    if (sample_windows > RING_WINDOWS_MAX)
        problems.push_back("ring_path.sample_windows: at most " + std::to_string(RING_WINDOWS_MAX) +
                           ", got " + std::to_string(sample_windows));
    if (reader != "auto" && reader != "kernel" && reader != "file")
        problems.push_back("ring_path.reader: one of auto, kernel, file, got \"" + reader + "\"");
    return problems;
}

void apply_ring_config(const nlohmann::json& doc, RingConfig& config,
                       std::vector<std::string>& problems) {
    const auto read_field = [&](const std::string& key, const nlohmann::json& field,
                                const std::string& name) {
        if (key == "enabled" && field.is_boolean()) {
            config.enabled = field.get<bool>();
        } else if (key == "file_prefix" && field.is_string()) {
            config.file_prefix = field.get<std::string>();
        } else if (key == "sample_windows" && field.is_number_unsigned()) {
            // Read wide and range-check here: get<uint32_t> would wrap 2^32+4 to 4.
            const auto windows = field.get<std::uint64_t>();
            if (windows > RING_WINDOWS_MAX)
                problems.push_back(name + ": at most " + std::to_string(RING_WINDOWS_MAX) +
                                   ", got " + std::to_string(windows));
            else
                config.sample_windows = static_cast<std::uint32_t>(windows);
        } else if (key == "reader" && field.is_string()) {
            config.reader = field.get<std::string>();
        } else if (key == "enabled" || key == "file_prefix" || key == "sample_windows" ||
                   key == "reader") {
            problems.push_back(name + ": wrong type, got " + field.dump());
        } else {
            problems.push_back(name +
                               ": unknown key (expected enabled, file_prefix, "
                               "sample_windows, reader)");
        }
    };
    read_section(doc, "ring_path", config.enabled, problems, read_field);
}

}  // namespace agentmon
