#pragma once
// The result of `agentmon check`: one line per probed feature with a verdict, what
// a failure means for the collector, and the fix; rendered as text or JSON.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace agentmon {

enum class Verdict {
    ok,        // present and working
    missing,   // required and absent: the collector cannot run as designed
    degraded,  // optional and absent: the collector runs with less
    info,      // reported for context, never affects the verdict
};

std::string_view verdict_name(Verdict verdict);

struct CheckLine {
    std::string group;  // "kernel", "program type", "map", "helper", "tracepoint", ...
    std::string name;   // e.g. "ringbuf", "tp_btf/sock_send_length"
    Verdict verdict = Verdict::ok;
    std::string detail;  // what was observed
    std::string impact;  // what a non-OK verdict costs the collector
    std::string fix;     // how to get it
};

class CheckReport {
  public:
    void add(CheckLine line) { lines_.push_back(std::move(line)); }
    // Adds OK or, when !present, `missing_verdict` with its impact and fix.
    void add_probe(std::string group, std::string name, bool present, std::string detail,
                   Verdict missing_verdict, std::string impact, std::string fix);

    const std::vector<CheckLine>& lines() const { return lines_; }
    // The line of `group` and `name`, or nullptr: for a probe that revises another.
    CheckLine* find(std::string_view group, std::string_view name);
    bool passed() const;  // no line is MISSING
    size_t count(Verdict verdict) const;

  private:
    std::vector<CheckLine> lines_;
};

std::string render_text(const CheckReport& report);
nlohmann::ordered_json render_json(const CheckReport& report);

}  // namespace agentmon
