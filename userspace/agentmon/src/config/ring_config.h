#pragma once
// The ring path's part of the config file:
//   "ring_path": true | false | {"enabled": true, "file_prefix": "/dev/shm/agent_ring_",
//                                "sample_windows": 16, "reader": "auto"}
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
    // 16 windows (64 KiB, about 280 frames of 232 bytes) per ring per tick: the mix
    // of types on a pair, and enough requests with sampled replies for the latency
    // (docs/ring-path.md "Latency"), at tens of microseconds of copy.
    std::uint32_t sample_windows = 16;
    // Who copies the rings each tick: "kernel" (the sleepable task iterator, 5.18+),
    // "file" (agentmon itself, pread on each ring's file), or "auto": the kernel
    // where it loads, else the files (docs/ring-path.md "Without the iterator").
    std::string reader = "auto";

    std::vector<std::string> validate() const;
};

void apply_ring_config(const nlohmann::json& doc, RingConfig& config,
                       std::vector<std::string>& problems);

}  // namespace agentmon
