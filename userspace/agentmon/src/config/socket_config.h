#pragma once
// The socket path's part of the config file: the frame spec, which tasks are
// agents, the agent registry, histogram buckets and the series budget.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "metrics/default_buckets.h"
#include "metrics/series_budget.h"
#include "model/agent_registry.h"
#include "model/agent_rules.h"
#include "model/frame_spec.h"

namespace agentmon {

struct SocketConfig {
    bool enabled = true;  // "socket_path": false runs without the socket collector
    // "socket_hooks": "auto" (sock_send_length/sock_recv_length where the kernel has
    // them, 6.3+, else the syscall tracepoint twin), "sock_length" or "syscalls".
    std::string hooks = "auto";
    FrameSpec frame_spec = agen_preset();
    std::vector<AgentRule> agent_rules = default_agent_rules();
    std::vector<RegistryEntry> agents;
    std::vector<double> latency_buckets_seconds = default_latency_buckets();
    std::vector<double> size_buckets_bytes = default_size_buckets();
    std::size_t series_budget_default = kDefaultSeriesBudget;  // "series_budget": {"default": N}
    std::map<std::string, std::size_t> series_budget;          // per family name
    LabelSelection labels = LabelSelection::defaults();        // "labels"
    // Message types that expect a reply (bit n = msg_type n), for the processing
    // time: "request_types", default REQUEST, TASK, RESOURCE_REQ.
    std::uint32_t request_type_mask = (1u << 1) | (1u << 8) | (1u << 11);
    // A request without a reply this long is counted as unanswered.
    double request_timeout_seconds = 5.0;
    // "label_quota": label sets one process may add to the kernel's frames map
    // (the kernel's LABEL_QUOTA by default); beyond it they count as LABEL_QUOTA.
    std::uint64_t label_quota = kDefaultLabelQuota;
    static constexpr std::uint64_t kDefaultLabelQuota = 8192;
    static constexpr std::uint64_t kMaxLabelQuota = 131072;  // the frames map's largest size
    // "frames_map_entries": a cap on the kernel's frames map below every key the
    // kept labels allow (0, the default: no cap). Its values are per CPU, so on a
    // node with many CPUs an operator may bound its memory; label sets past the cap
    // count in their carrier and direction's overflow as MAP_FULL, totals exact.
    std::uint32_t frames_map_entries = 0;
    static constexpr std::uint32_t kMinFramesMapEntries = 16;

    // The kernel's forms: bounds in ns and bytes for the histogram maps.
    std::vector<std::uint64_t> latency_bounds_ns() const;
    std::vector<std::uint64_t> size_bounds_bytes() const;

    std::vector<std::string> validate() const;
};

// The keys this part owns at the top level of the config file.
const std::vector<std::string>& socket_config_keys();

void apply_socket_config(const nlohmann::json& doc, SocketConfig& config,
                         std::vector<std::string>& problems);

}  // namespace agentmon
