// Per-cycle least-squares fit of an oscillating signal, from running sums (no time series).
#pragma once

#include <cstddef>
#include <vector>

namespace glassdyn {

// Fits y(theta) = c0 + sum_{k=1..H} (a_k sin k theta + b_k cos k theta), theta = omega (t - t0).
// The normal matrix depends only on the sample phases, so signals sampled at the same
// instants (the global stress and every atom's stress) share it; each signal needs only its
// own right-hand side sum_j y_j f(theta_j).
class CycleFit {
 public:
  explicit CycleFit(int harmonics);
  size_t basis_size() const { return 2 * size_t(harmonics_) + 1; }
  // Basis values 1, sin theta, cos theta, sin 2theta, ... at one phase.
  void basis(double theta, double *values) const;
  // Adds one sample of the shared basis (call once per sampling instant).
  void add_phase(double theta);
  // Adds one sample of a signal to its right-hand side `rhs` (basis_size() values).
  void add_signal(double theta, double y, double *rhs) const;
  // Coefficients c0, a1, b1, a2, b2, ... of a signal from its right-hand side.
  std::vector<double> solve(const double *rhs) const;
  // The inverse normal matrix (row-major), so many signals can be solved by one product each.
  std::vector<double> inverse() const;
  double samples() const { return samples_; }
  void reset();
  // Running sums, for restart files: samples, then the normal matrix.
  std::vector<double> state() const;
  void restore(const std::vector<double> &state);

 private:
  int harmonics_;
  double samples_;
  std::vector<double> normal_;    // basis_size()^2, symmetric
};

// Parameters of a DMS fit (fix dms, DMSFit, the campaign's [dms] table).
struct CycleFitOptions {
  static constexpr double MAX_AMPLITUDE = 0.2;    // beyond this no linear response is measured

  double amplitude = 0.01;    // strain amplitude eps_A
  double period = 1.0;        // t_omega, time units
  int harmonics = 1;          // 1: fundamental only; 3: adds the 2w and 3w terms
  int discard = 1;            // first cycles left out of the averages

  // Throws std::invalid_argument whose message starts with the keyword ("amplitude",
  // "period", "harmonics", "discard") and states the allowed values.
  void validate() const;
};

// What one cycle's fit means for a strain of amplitude `strain_amplitude`.
struct CycleModuli {
  double offset = 0.0;          // c0
  double storage = 0.0;         // M' = a1 / eps_A
  double loss = 0.0;            // M'' = b1 / eps_A
  double tan_delta = 0.0;       // M'' / M'
  double harmonic2 = 0.0;       // |(a2, b2)| / |(a1, b1)| (0 with one harmonic)
  double harmonic3 = 0.0;
};

CycleModuli cycle_moduli(const std::vector<double> &coefficients, double strain_amplitude);

struct ModuliStatistics {
  int cycles = 0;
  double storage = 0.0, storage_std = 0.0;
  double loss = 0.0, loss_std = 0.0;
  double tan_delta = 0.0, tan_delta_std = 0.0;
  double harmonic2 = 0.0, harmonic3 = 0.0;
};

// Mean and sample standard deviation over the cycles after the first `discard`.
ModuliStatistics average_cycles(const std::vector<CycleModuli> &cycles, int discard);

// Offline: fits every complete cycle [t0 + kT, t0 + (k+1)T) of a sampled signal.
std::vector<CycleModuli> fit_cycles(const std::vector<double> &time, const std::vector<double> &signal,
                                    double t_start, double period, double strain_amplitude, int harmonics);

}    // namespace glassdyn
