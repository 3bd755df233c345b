#include "analytics/context_novelty.h"

#include <algorithm>

namespace agentmon::analytics {

namespace {
// The range forgets at this rate per point, so a level shift long past stops
// squeezing today's values into one level.
constexpr double kRangeForget = 0.002;
// Halving counts at this ceiling keeps them in 16 bits and fades old patterns.
constexpr std::uint16_t kCeiling = 1024;
}  // namespace

std::size_t ContextNovelty::quantise(double value) const {
    double span = high_ - low_;
    if (span <= 0) return 0;
    double position = (value - low_) / span * static_cast<double>(kLevels);
    return std::min(kLevels - 1, static_cast<std::size_t>(std::max(0.0, position)));
}

double ContextNovelty::update(double value) {
    if (seen_ == 0) low_ = high_ = value;
    // Widen to cover the value, and shrink slowly towards each other otherwise.
    double shrink = kRangeForget * (high_ - low_);
    high_ = std::max(value, high_ - shrink);
    low_ = std::min(value, low_ + shrink);

    std::size_t level = quantise(value);
    double score = 0.0;
    if (seen_ >= 2) {
        std::size_t context = context_[0] * kLevels + context_[1];
        std::size_t successor = context * kLevels + level;
        double context_seen = context_counts_[context];
        score = 1.0 - successor_counts_[successor] / (context_seen + 1.0);
        ++successor_counts_[successor];
        // The context's count is the largest of its family, so it alone decides.
        if (++context_counts_[context] >= kCeiling) {
            for (auto& c : successor_counts_) c /= 2;
            for (auto& c : context_counts_) c /= 2;
        }
    }
    context_[0] = context_[1];
    context_[1] = level;
    ++seen_;
    return score;
}

}  // namespace agentmon::analytics
