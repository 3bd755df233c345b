#pragma once
// Holt-Winters in its ETS(A,Ad,A) state-space form: additive errors, additive
// damped trend, additive seasonality (Hyndman et al., "Forecasting with
// Exponential Smoothing", 2008). The parameters are fitted by minimising the
// one-step squared errors over the history; the prediction intervals come
// from the model's h-step variance formula.
#include <cstddef>
#include <span>
#include <vector>

namespace agentmon::analytics {

struct HoltWintersParams {
    double alpha = 0.3;  // level smoothing, (0, 1)
    double beta = 0.03;  // trend smoothing, (0, alpha)
    double gamma = 0.1;  // season smoothing, (0, 1 - alpha); unused without a season
    double phi = 0.98;   // trend damping, [0.8, 1]: 1 is Holt's linear trend
};

struct HoltWintersModel {
    HoltWintersParams params;
    size_t period = 0;  // season length in samples; 0: no season
    size_t observations = 0;
    double level = 0;
    double trend = 0;
    std::vector<double> season;  // season[t % period]: the latest estimate for that phase
    double sigma = 0;            // standard deviation of the one-step errors
};

struct ForecastPoint {
    double mean;
    double lower;
    double upper;
};

// Options for fit_holt_winters. period 0 fits without a season; the caller
// finds it with detect_season_length or knows it (e.g. one day of samples).
struct HoltWintersOptions {
    size_t period = 0;
    double phi_min = 0.8;
    double phi_max = 1.0;  // capacity horizons are hundreds of steps: allow no damping
};

// Fits the model to y (evenly spaced samples, oldest first). Needs at least
// two full seasons (or 3 samples without a season); with fewer the season
// is dropped, and with under 3 samples the model is the last value.
HoltWintersModel fit_holt_winters(std::span<const double> y, const HoltWintersOptions& options);

// One-step SSE of the model with params over y, from the initial states
// fit_holt_winters uses; for tests and the fitter.
double holt_winters_sse(std::span<const double> y, size_t period, const HoltWintersParams& params);

// The next `horizon` points after the history, with central prediction
// intervals at `coverage` (e.g. 0.95 gives the 2.5 % and 97.5 % bounds).
std::vector<ForecastPoint> forecast(const HoltWintersModel& model, size_t horizon, double coverage);

}  // namespace agentmon::analytics
