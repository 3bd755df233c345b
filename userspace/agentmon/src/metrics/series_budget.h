#pragma once
// A per-family limit on label sets (config "series_budget"). Label sets first seen
// keep their series for the collector's life, so a series never flaps in and out
// between ticks; past the limit, new label sets fold into one overflow series
// whose labels are "overflow" except carrier and direction, which are kept (so
// per-carrier and per-direction totals stay exact, and the socket and ring paths
// never fold into the same series), and each distinct label set folded is counted
// once in agentmon_series_dropped_total{family}.
//
// Counters stay monotonic through the fold: a label set is admitted or folded for
// good, and the kernel's counters behind it only grow, so the overflow series is a
// sum of growing values.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "metrics/label_selection.h"
#include "metrics/snapshot.h"

namespace agentmon {

// 20000 per family: a full mesh of the 28 types is 784 ordered pairs (756 plus
// self-traffic). On the reference bus priority follows message type, and a pair
// carries about a dozen (msg_type, priority) combinations, so one carrier in both
// directions needs 784 x 12 x 2 = 18816 series of agent_transport_messages_total:
// within budget. Instances add no series (labels carry types). Several carriers
// at full mesh need a larger budget in the config; beyond that the growth is a
// label explosion to contain, not to export.
inline constexpr std::size_t kDefaultSeriesBudget = 20000;
inline constexpr const char* kOverflowValue = "overflow";

class SeriesBudget {
  public:
    SeriesBudget() = default;  // kDefaultSeriesBudget for every family
    explicit SeriesBudget(const std::map<std::string, std::size_t>& limits,
                          std::size_t default_limit = kDefaultSeriesBudget,
                          LabelSelection selection = {})
        : limits_(limits.begin(), limits.end()),
          default_limit_(default_limit),
          selection_(std::move(selection)) {}

    // The label set to export `labels` under in `family`: `labels` reduced to the
    // labels the family keeps (config "labels"), if that set was admitted before or
    // the family has room, else the overflow label set. Callers sum the values that
    // land on one label set.
    LabelSet admit(std::string_view family, const LabelSet& labels);

    std::size_t limit(std::string_view family) const;
    // Distinct label sets folded so far, for every family that asked (0 included).
    const std::map<std::string, std::uint64_t, std::less<>>& dropped() const {
        return dropped_count_;
    }

    // `labels` with every value but carrier's and direction's replaced by "overflow".
    static LabelSet overflow_of(const LabelSet& labels);

    // Families that folded their first label set since the last call, for a log
    // line the first time a family overflows.
    std::vector<std::string> take_first_overflows();

  private:
    // Label sets are remembered by a 64-bit hash: a family past its budget may see
    // many more label sets than it keeps, and 8 bytes each bound the memory that
    // costs. A collision among a few million sets is vanishingly unlikely.
    static std::uint64_t hash(const LabelSet& labels);

    // One family's admitted and folded label sets, by hash.
    struct FamilySets {
        std::unordered_set<std::uint64_t> admitted, dropped;
    };
    FamilySets& sets_of(std::string_view family);

    std::map<std::string, std::size_t, std::less<>> limits_;
    std::size_t default_limit_ = kDefaultSeriesBudget;
    LabelSelection selection_;
    std::map<std::string, FamilySets, std::less<>> sets_;
    std::map<std::string, std::uint64_t, std::less<>> dropped_count_;
    std::vector<std::string> first_overflows_;
};

// agentmon_series_dropped_total{family} for each of `families`, 0 until it
// overflows, so an alert on increase() has its series before the first drop.
void emit_series_dropped(const SeriesBudget& budget, const std::vector<std::string>& families,
                         SnapshotBuilder& out);

}  // namespace agentmon
