#pragma once
// Every metric family agentmon exports, in one table: its name, its type, and
// which series budget (if any) bounds its label sets. The transport budget is the
// tick context's, shared by the socket and ring paths (agentmon_series_dropped_total
// is emitted for its families by the loop); the agent budget is the agent path's
// own. docs/metrics.md is checked against this table by a unit test: every family
// here documented, nothing documented that is not here.
//
// Not yet read by the emit sites: they still spell names and HELP texts; moving
// the HELP texts here and emitting through entries is the next step.
#include <string_view>
#include <vector>

namespace agentmon {

enum class FamilyType { counter, gauge, histogram };
enum class FamilyBudget { none, transport, agent };

struct MetricFamilySpec {
    std::string_view name;
    FamilyType type;
    FamilyBudget budget;
};

const std::vector<MetricFamilySpec>& metric_families();

}  // namespace agentmon
