// Time correlations of single-atom displacements with staggered origins: MSD, non-Gaussian
// parameter, self-intermediate scattering F_s(q,t), overlap and the four-point susceptibility
// chi4(t), per atom type, accumulated over many time origins (science.md section 8).
//
// The caller owns the reference positions of the live origins (on the fly: a fix's per-atom
// arrays; offline: frames). For each (origin, lag) pair it calls correlation_sample() on its atoms
// (one rank's share) and adds the rank-summed sample to a TimeCorrelations accumulator, in the
// same order on every rank. Both front ends run exactly this code.
#pragma once

#include "communicator.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace glassdyn {

struct CorrelationOptions {
  int64_t every = 0;              // steps between origins: origins start at steps that are multiples of it
  int origins = 0;                // K: origins alive at once
  std::vector<int64_t> lags;      // lags in steps, strictly increasing, >= 1
  double q = 0.0;                 // wave number of F_s (1/length)
  double overlap = 0.0;           // a of the overlap w = (dr < a); 0: no overlap, Q = per-origin F_s
  bool remove_drift = true;       // subtract the group's mass-weighted mean displacement per origin

  static constexpr int MAX_ORIGINS = 1000;
  static constexpr int MAX_LAGS = 10000;
  // Throws std::invalid_argument whose message starts with the keyword ("every", "origins",
  // "lags", "q", "overlap") and states the allowed values.
  void validate() const;
};

// COUNT lags between lag_min and lag_max (steps) spaced evenly in ln(lag), rounded to whole steps,
// repeats dropped (so short ranges give fewer lags). Throws std::invalid_argument ("lags: ...").
std::vector<int64_t> log_spaced_lags(int64_t lag_min, int64_t lag_max, int count);

// The sums one (origin, lag) pair contributes, per set (0 = all group atoms, t = atoms of type t).
enum SampleSum { S_COUNT, S_R2, S_R4, S_FS, S_OVERLAP, SAMPLE_SUMS };

// Per-set sums over this rank's group atoms of count, dr^2, dr^4, sin(q dr)/(q dr) and w(dr), with
// dr = |r(t) - r(t0) - drift|, summed over all ranks (collective: two sums when removing the
// drift, else one). `reference` and `current` are unwrapped positions, 3 per atom; `mass` is used
// only with remove_drift. The drift is the group's mass-weighted mean displacement, as for strings
// (window_displacement.hpp). Returns (ntypes + 1) * SAMPLE_SUMS values, set-major.
std::vector<double> correlation_sample(const double *reference, const double *current, const int *type,
                                       const double *mass, const char *in_group, size_t n, int ntypes,
                                       const CorrelationOptions &options, const Communicator &comm);

class TimeCorrelations {
 public:
  // Totals kept per (lag, set): the sample sums over origins, plus the origin statistics of Q.
  enum Total { T_COUNT, T_R2, T_R4, T_FS, T_OVERLAP, T_ORIGINS, T_Q, T_Q2, TOTALS };

  TimeCorrelations(const CorrelationOptions &options, int ntypes);

  int sets() const { return ntypes_ + 1; }
  int lags() const { return int(options_.lags.size()); }
  const CorrelationOptions &options() const { return options_; }

  // Adds one rank-summed sample (from correlation_sample) of the lag with index lag_index.
  void add(int lag_index, const std::vector<double> &sample);

  // Every total, lag-major then set then Total; the restart state of the accumulator.
  const std::vector<double> &totals() const { return totals_; }
  void set_totals(const std::vector<double> &totals);

  // The global array (schema correlations::array): lags() rows, row-major; lag time = lag * dt.
  std::vector<double> table(double dt) const;
  // The global vector (schema correlations::vector) from that table.
  std::vector<double> summary(double dt) const;

 private:
  double total(int lag, int set, Total t) const { return totals_[(size_t(lag) * sets() + set) * TOTALS + t]; }
  CorrelationOptions options_;
  int ntypes_;
  std::vector<double> totals_;
};

// Derived times of one set from its lag times and per-lag MSD, F_s, alpha2, chi4 (lags with no
// origin have n_origins = 0 and are skipped). Exposed for tests.
struct DerivedTimes {
  double tau_alpha = 0.0, diffusion = 0.0, diffusive_from = 0.0, diffusive_to = 0.0;
  double t_star = 0.0, alpha2_peak = 0.0, chi4_peak = 0.0, chi4_time = 0.0;
};
DerivedTimes derive_times(const std::vector<double> &time, const std::vector<double> &msd,
                          const std::vector<double> &fs, const std::vector<double> &alpha2,
                          const std::vector<double> &chi4, const std::vector<double> &n_origins);

}    // namespace glassdyn
