#pragma once
// Which labels each budgeted transport family keeps (config "labels"). A label a
// family does not keep is dropped from its series, and the samples that then share
// a label set are summed: the series someone will query, at a fraction of the
// cost of the full per-pair, per-type key. `carrier` and `direction` are always
// kept, so per-carrier and per-direction totals stay exact whatever is chosen.
//
// The projection is applied where every transport sample passes anyway, in the
// series budget's admit(), so the socket and ring paths, counters and histograms
// all reduce the same way, and the budget counts the reduced label sets.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace agentmon {

using LabelSet = std::map<std::string, std::string>;

// Every label a selectable family can carry, in exposition order.
struct SelectableFamily {
    std::string name;
    std::vector<std::string> labels;
};
const std::vector<SelectableFamily>& selectable_families();

class LabelSelection {
  public:
    // Keeps every label of every family: what the collectors build without a config.
    LabelSelection() = default;

    // The shipped defaults (docs/metrics.md, "Choosing labels"): at most 15 000
    // series for 28 agent types on four carriers.
    static LabelSelection defaults();

    // `family` keeps exactly `labels` (plus carrier and direction where it has them).
    void keep(const std::string& family, std::set<std::string> labels);
    // `family` keeps every label it has.
    void keep_all(const std::string& family) { kept_.erase(family); }

    // `labels` of one `family` sample, without the labels the family does not keep.
    LabelSet project(std::string_view family, const LabelSet& labels) const;

    // The labels `family` keeps; every label it has when nothing was chosen.
    std::vector<std::string> kept(const std::string& family) const;
    bool reduces(const std::string& family) const { return kept_.count(family) != 0; }

  private:
    std::map<std::string, std::set<std::string>, std::less<>> kept_;
};

// The header fields the kernel's frames map keys by (KEEP_* bits of
// abi/socket_trace.h): every label agent_transport_messages_total and
// agent_transport_bytes_total keep, the two families read from that map. The
// kernel then sums in the map what the projection would sum here.
std::uint32_t frame_key_keep(const LabelSelection& labels);

}  // namespace agentmon
