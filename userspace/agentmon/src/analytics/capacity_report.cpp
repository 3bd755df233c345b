#include "analytics/capacity_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace agentmon::analytics {

namespace {

std::vector<Recommendation> actions_by_urgency(const std::vector<Recommendation>& all) {
    std::vector<Recommendation> out;
    for (const auto& r : all)
        if (r.action != "none") out.push_back(r);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return int(a.priority) < int(b.priority);
    });
    return out;
}

nlohmann::json to_json(const Recommendation& r) {
    nlohmann::json j = {{"priority", priority_name(r.priority)},
                        {"component", r.component},
                        {"action", r.action},
                        {"current", r.current},
                        {"target", r.target},
                        {"reason", r.reason},
                        {"timeline", r.timeline},
                        {"utilization_now", r.utilization_now},
                        {"forecast_p95_peak", r.forecast_p95_peak},
                        {"season_samples", r.season_samples},
                        {"source", r.source}};
    j["seconds_to_limit"] = r.seconds_to_limit ? nlohmann::json(*r.seconds_to_limit) : nullptr;
    return j;
}

}  // namespace

std::string format_text(const std::vector<Recommendation>& recommendations) {
    std::string out = "SCALING RECOMMENDATIONS:\n";
    auto actions = actions_by_urgency(recommendations);
    if (actions.empty()) out += "  none\n";
    for (const auto& r : actions) {
        out += "[" + priority_name(r.priority) + "] " + r.component + ": " + r.action + "\n";
        out += "  Current: " + std::to_string(r.current) + ", Target: " + std::to_string(r.target) +
               "\n";
        out += "  Reason: " + r.reason + "\n";
        out += "  Timeline: " + r.timeline + "\n";
    }
    return out;
}

std::string format_json(const std::vector<Recommendation>& recommendations) {
    nlohmann::json j = {{"recommendations", nlohmann::json::array()},
                        {"resources", nlohmann::json::array()}};
    for (const auto& r : actions_by_urgency(recommendations))
        j["recommendations"].push_back(to_json(r));
    for (const auto& r : recommendations) j["resources"].push_back(to_json(r));
    return j.dump(2) + "\n";
}

}  // namespace agentmon::analytics
