#pragma once
// The config's "labels" key: per transport family, the labels its series keep.
//   "labels": {"agent_transport_messages_total": ["source_agent", "target_agent"],
//              "agent_transport_latency_seconds": "all"}
// A list names the labels kept besides carrier and direction, which every family
// that has them always keeps; "all" keeps the family's full key. Families not named
// keep the shipped defaults (LabelSelection::defaults()).
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "metrics/label_selection.h"

namespace agentmon {

void read_label_selection(const nlohmann::json& labels, LabelSelection& selection,
                          std::vector<std::string>& problems);

}  // namespace agentmon
