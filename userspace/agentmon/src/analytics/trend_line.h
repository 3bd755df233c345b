#pragma once
// An exponentially weighted straight-line fit to one series on its own clock:
// where the series is now (the line's level), how fast it moves (its slope),
// and how sure that slope is (its t statistic against the scatter around the
// line). Points older than `time_constant_seconds` weigh e^-1 of a new one, so
// a burst shorter than that averages out while a ramp longer than that shows.
// Constant memory (seven sums), irregular ticks allowed, no randomness.
namespace agentmon::analytics {

class TrendLine {
  public:
    explicit TrendLine(double time_constant_seconds) : tau_(time_constant_seconds) {}

    // Adds the value seen at `seconds` (non-decreasing; a repeat replaces nothing,
    // it adds a second point at the same time).
    void update(double seconds, double value);

    double level() const;              // the line's value at the last point
    double slope() const;              // per second; 0 until two distinct times
    double slope_t_statistic() const;  // slope / its standard error; 0 when unknown
    double effective_points() const;   // (sum w)^2 / sum w^2
    bool empty() const { return sw_ == 0; }

  private:
    double tau_;
    double last_ = 0;
    // Weighted sums with time measured from the last point (so t <= 0).
    double sw_ = 0, sww_ = 0, st_ = 0, stt_ = 0, sy_ = 0, sty_ = 0, syy_ = 0;
};

}  // namespace agentmon::analytics
