#pragma once
// The distribution-shift detector: compares the recent spread of the series'
// point-to-point changes with its long-run spread. It sees what a predictor
// cannot: a series that goes flat (a stuck sensor, a dead exporter) and one
// whose noise suddenly grows, while level and trend drop out of differences.
#include <cstddef>

namespace agentmon::analytics {

class SpreadShift {
  public:
    // Returns the raw score |log(recent spread / long-run spread)|, capped.
    double update(double value);

  private:
    std::size_t seen_ = 0;
    double previous_ = 0.0;
    double recent_ = 0.0;
    double long_run_ = 0.0;
};

}  // namespace agentmon::analytics
