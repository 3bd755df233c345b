#pragma once
// The capacity command's output: the text report operators read and the
// JSON with the same fields (plus the figures behind them) for tools.
#include <string>
#include <vector>

#include "analytics/capacity_recommend.h"

namespace agentmon::analytics {

// SCALING RECOMMENDATIONS: then one block per resource that needs an action,
// most urgent first; "  none" when no resource does.
std::string format_text(const std::vector<Recommendation>& recommendations);

// {"recommendations": [...actions...], "resources": [...every resource...]}
std::string format_json(const std::vector<Recommendation>& recommendations);

}  // namespace agentmon::analytics
