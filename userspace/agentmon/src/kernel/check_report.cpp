#include "kernel/check_report.h"

#include <algorithm>
#include <iterator>

#include "base/enum_names.h"

namespace agentmon {

std::string_view verdict_name(Verdict verdict) {
    constexpr std::string_view kNames[] = {"OK", "MISSING", "DEGRADED", "INFO"};
    static_assert(std::size(kNames) == static_cast<std::size_t>(Verdict::info) + 1);
    return enum_name(verdict, kNames, "?");
}

void CheckReport::add_probe(std::string group, std::string name, bool present, std::string detail,
                            Verdict missing_verdict, std::string impact, std::string fix) {
    CheckLine line{std::move(group), std::move(name), Verdict::ok, std::move(detail), "", ""};
    if (!present) {
        line.verdict = missing_verdict;
        line.impact = std::move(impact);
        line.fix = std::move(fix);
    }
    add(std::move(line));
}

CheckLine* CheckReport::find(std::string_view group, std::string_view name) {
    for (auto& line : lines_)
        if (line.group == group && line.name == name) return &line;
    return nullptr;
}

bool CheckReport::passed() const { return count(Verdict::missing) == 0; }

size_t CheckReport::count(Verdict verdict) const {
    return static_cast<size_t>(std::count_if(
        lines_.begin(), lines_.end(), [&](const CheckLine& l) { return l.verdict == verdict; }));
}

std::string render_text(const CheckReport& report) {
    size_t width = 0;
    for (const auto& line : report.lines())
        width = std::max(width, line.group.size() + 1 + line.name.size());
    std::string out;
    for (const auto& line : report.lines()) {
        std::string verdict(verdict_name(line.verdict));
        verdict.resize(9, ' ');
        std::string what = line.group + " " + line.name;
        what.resize(width, ' ');
        out += verdict + what;
        if (!line.detail.empty()) out += "  " + line.detail;
        out += '\n';
        if (!line.impact.empty()) out += "         -> impact: " + line.impact + '\n';
        if (!line.fix.empty()) out += "         -> fix:    " + line.fix + '\n';
    }
    out += "\n";
    out += report.passed() ? "verdict: OK" : "verdict: NOT READY";
    out += " (" + std::to_string(report.count(Verdict::ok)) + " ok, " +
           std::to_string(report.count(Verdict::missing)) + " missing, " +
           std::to_string(report.count(Verdict::degraded)) + " degraded)";
    out += report.passed() ? ": every feature the collector requires is present\n"
                           : ": the collector cannot run on this host as configured\n";
    return out;
}

nlohmann::ordered_json render_json(const CheckReport& report) {
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const auto& line : report.lines()) {
        nlohmann::ordered_json item = {{"verdict", verdict_name(line.verdict)},
                                       {"group", line.group},
                                       {"name", line.name},
                                       {"detail", line.detail}};
        if (!line.impact.empty()) item["impact"] = line.impact;
        if (!line.fix.empty()) item["fix"] = line.fix;
        checks.push_back(std::move(item));
    }
    return {{"verdict", report.passed() ? "OK" : "NOT READY"},
            {"ok", report.count(Verdict::ok)},
            {"missing", report.count(Verdict::missing)},
            {"degraded", report.count(Verdict::degraded)},
            {"checks", std::move(checks)}};
}

}  // namespace agentmon
