// The ground-truth JSON written at exit: sums of the agent slots plus what the
// parent injected.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "options.h"
#include "shared.h"

namespace agentbus {

struct RunRecord {
    double duration_seconds = 0;
    uint64_t crashes = 0;
    uint64_t restarts = 0;
    uint64_t unexpected_exits = 0;
    std::vector<std::vector<int>> pids;   // per agent index, every pid it had
    std::vector<std::string> ring_files;  // every ring file name published
    std::string run_dir;
    nlohmann::json fault_events = nlohmann::json::object();  // FaultTimeline::to_json()
};

struct LatencySummary {
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
    uint64_t count = 0;
};
LatencySummary summarize_latency(const std::vector<uint64_t>& hist);
std::vector<uint64_t> merged_histogram(const SharedBlock& shm);
uint64_t total_counter(const SharedBlock& shm, uint32_t ctr);  // summed over agents
uint64_t total_sent(const SharedBlock& shm);
uint64_t total_received(const SharedBlock& shm);

nlohmann::json build_truth(const Options& o, const SharedBlock& shm, const RunRecord& run);

}  // namespace agentbus
