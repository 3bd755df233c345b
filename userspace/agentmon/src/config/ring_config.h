#pragma once
// The ring path's part of the config file:
//   "ring_path": true | false | {"enabled": true, "file_prefix": "/dev/shm/agent_ring_",
//                                "sample_windows": 16}
// The rings are found by the file their memory maps (docs/transport.md "Ring layout"); the sample
// is sample_windows windows of 4 KiB per ring per tick.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace agentmon {

struct RingConfig {
    bool enabled = true;
    std::string file_prefix = "/dev/shm/agent_ring_";
    // 4 windows (16 KiB, about 70 frames of 232 bytes) per ring per tick: enough to
    // see the mix of types on a pair over a few ticks, at a few microseconds of copy.
    std::uint32_t sample_windows = 16;

    std::vector<std::string> validate() const;
};

void apply_ring_config(const nlohmann::json& doc, RingConfig& config,
                       std::vector<std::string>& problems);

}  // namespace agentmon
