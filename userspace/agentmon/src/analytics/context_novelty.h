#pragma once
// The contextual novelty detector, after CAD OSE and ARTime: the series is
// quantised into a few levels of its recent range, and the detector counts how
// often each level followed each context of the two levels before it. A point
// whose (context, level) has rarely or never been seen is novel, even when its
// value is ordinary (a pattern anomaly: a daily peak that comes at night, an
// oscillation that stops). Counts halve periodically, so old habits fade and
// the table never grows: 8^3 + 8^2 small counters per series.
#include <array>
#include <cstddef>
#include <cstdint>

namespace agentmon::analytics {

class ContextNovelty {
  public:
    static constexpr std::size_t kLevels = 8;

    // Returns the raw score in [0, 1]: the share of this context's past
    // successors that were not this level.
    double update(double value);

  private:
    std::size_t quantise(double value) const;

    std::size_t seen_ = 0;
    double low_ = 0.0;
    double high_ = 0.0;
    std::size_t context_[2] = {0, 0};
    std::array<std::uint16_t, kLevels * kLevels * kLevels> successor_counts_{};
    std::array<std::uint16_t, kLevels * kLevels> context_counts_{};
};

}  // namespace agentmon::analytics
