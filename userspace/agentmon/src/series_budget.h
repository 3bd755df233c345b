#pragma once
// A per-family limit on label sets. Label sets first seen keep their series for
// the collector's life (no flapping between ticks); past the limit, new label sets
// fold into one overflow series whose varying labels are "overflow", and each
// distinct dropped label set is counted once in agentmon_series_dropped_total.
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace agentmon {

using LabelSet = std::map<std::string, std::string>;

// 20000: a 28-type full mesh (756 ordered pairs) with a dozen type/priority
// combinations per pair on one carrier and direction fits; more is a label
// explosion to contain, not to export.
inline constexpr std::size_t kDefaultSeriesBudget = 20000;

class SeriesBudget {
  public:
    explicit SeriesBudget(std::map<std::string, std::size_t> limits = {},
                          std::size_t default_limit = kDefaultSeriesBudget)
        : limits_(std::move(limits)), default_limit_(default_limit) {}

    // The label set to export `labels` under in `family`.
    LabelSet admit(const std::string& family, const LabelSet& labels);
    const std::map<std::string, std::uint64_t>& dropped() const { return dropped_count_; }

  private:
    std::map<std::string, std::size_t> limits_;
    std::size_t default_limit_;
    std::map<std::string, std::set<LabelSet>> admitted_;
    std::map<std::string, std::set<LabelSet>> dropped_;
    std::map<std::string, std::uint64_t> dropped_count_;
};

}  // namespace agentmon
