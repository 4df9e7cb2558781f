#include "cycle_fit.hpp"
#include "number_text.hpp"

#include <sstream>
#include <string>

#include <cmath>
#include <stdexcept>

namespace glassdyn {

void CycleFitOptions::validate() const
{
  if (!(amplitude > 0.0 && amplitude <= MAX_AMPLITUDE))
    throw std::invalid_argument("amplitude: EA must be a strain in (0, " + number_text(MAX_AMPLITUDE) + "], got " +
                                number_text(amplitude));
  if (!(period > 0.0) || !std::isfinite(period))
    throw std::invalid_argument("period: TW must be > 0 (time units) and finite, got " + number_text(period));
  if (harmonics != 1 && harmonics != 3)
    throw std::invalid_argument("harmonics: must be 1 (fundamental) or 3 (adds 2w and 3w), got " +
                                std::to_string(harmonics));
  if (discard < 0) throw std::invalid_argument("discard: K must be an integer >= 0, got " + std::to_string(discard));
}

CycleFit::CycleFit(int harmonics) : harmonics_(harmonics), samples_(0.0)
{
  // The outputs have columns for 2w and 3w, so 2 would report a 3w term never fitted.
  if (harmonics != 1 && harmonics != 3) throw std::invalid_argument("CycleFit: harmonics must be 1 or 3");
  normal_.assign(basis_size() * basis_size(), 0.0);
}

void CycleFit::basis(double theta, double *values) const
{
  values[0] = 1.0;
  for (int k = 1; k <= harmonics_; ++k) {
    values[2 * k - 1] = std::sin(k * theta);
    values[2 * k] = std::cos(k * theta);
  }
}

void CycleFit::add_phase(double theta)
{
  const size_t n = basis_size();
  double f[7];
  basis(theta, f);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) normal_[i * n + j] += f[i] * f[j];
  samples_ += 1.0;
}

void CycleFit::add_signal(double theta, double y, double *rhs) const
{
  double f[7];
  basis(theta, f);
  for (size_t i = 0; i < basis_size(); ++i) rhs[i] += y * f[i];
}

std::vector<double> CycleFit::solve(const double *rhs) const
{
  // Gaussian elimination with partial pivoting on a copy (at most 7 x 7).
  const size_t n = basis_size();
  if (samples_ < double(n)) throw std::invalid_argument("CycleFit: fewer samples than fit parameters");
  std::vector<double> m(normal_), x(rhs, rhs + n);
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r)
      if (std::fabs(m[r * n + col]) > std::fabs(m[pivot * n + col])) pivot = r;
    if (std::fabs(m[pivot * n + col]) < 1e-12 * samples_)
      throw std::invalid_argument("CycleFit: samples do not determine the fit (too few phases in the cycle)");
    if (pivot != col) {
      for (size_t c = 0; c < n; ++c) std::swap(m[col * n + c], m[pivot * n + c]);
      std::swap(x[col], x[pivot]);
    }
    for (size_t r = col + 1; r < n; ++r) {
      const double factor = m[r * n + col] / m[col * n + col];
      for (size_t c = col; c < n; ++c) m[r * n + c] -= factor * m[col * n + c];
      x[r] -= factor * x[col];
    }
  }
  for (size_t row = n; row-- > 0;) {
    double sum = x[row];
    for (size_t c = row + 1; c < n; ++c) sum -= m[row * n + c] * x[c];
    x[row] = sum / m[row * n + row];
  }
  return x;
}

std::vector<double> CycleFit::inverse() const
{
  const size_t n = basis_size();
  std::vector<double> result(n * n), unit(n, 0.0);
  for (size_t j = 0; j < n; ++j) {
    unit.assign(n, 0.0);
    unit[j] = 1.0;
    const auto column = solve(unit.data());
    for (size_t i = 0; i < n; ++i) result[i * n + j] = column[i];
  }
  return result;
}

void CycleFit::reset()
{
  samples_ = 0.0;
  std::fill(normal_.begin(), normal_.end(), 0.0);
}

std::vector<double> CycleFit::state() const
{
  std::vector<double> out{samples_};
  out.insert(out.end(), normal_.begin(), normal_.end());
  return out;
}

void CycleFit::restore(const std::vector<double> &state)
{
  if (state.size() != 1 + normal_.size()) throw std::invalid_argument("CycleFit: restart state has the wrong size");
  samples_ = state[0];
  std::copy(state.begin() + 1, state.end(), normal_.begin());
}

CycleModuli cycle_moduli(const std::vector<double> &c, double strain_amplitude)
{
  if (c.size() < 3 || c.size() % 2 == 0) throw std::invalid_argument("cycle_moduli: expected 2H+1 coefficients");
  CycleModuli m;
  m.offset = c[0];
  m.storage = c[1] / strain_amplitude;
  m.loss = c[2] / strain_amplitude;
  m.tan_delta = m.storage != 0.0 ? m.loss / m.storage : 0.0;
  const double fundamental = std::hypot(c[1], c[2]);
  if (fundamental > 0.0) {
    if (c.size() >= 5) m.harmonic2 = std::hypot(c[3], c[4]) / fundamental;
    if (c.size() >= 7) m.harmonic3 = std::hypot(c[5], c[6]) / fundamental;
  }
  return m;
}

ModuliStatistics average_cycles(const std::vector<CycleModuli> &cycles, int discard)
{
  ModuliStatistics s;
  if (discard < 0) throw std::invalid_argument("average_cycles: discard must be >= 0");
  std::vector<const CycleModuli *> used;
  for (size_t k = size_t(discard); k < cycles.size(); ++k) used.push_back(&cycles[k]);
  s.cycles = int(used.size());
  if (used.empty()) return s;
  auto mean_std = [&](double CycleModuli::*field, double &mean, double &std_dev) {
    double sum = 0.0;
    for (const auto *c : used) sum += c->*field;
    mean = sum / double(used.size());
    double squares = 0.0;
    for (const auto *c : used) squares += (c->*field - mean) * (c->*field - mean);
    std_dev = used.size() > 1 ? std::sqrt(squares / double(used.size() - 1)) : 0.0;
  };
  double unused;
  mean_std(&CycleModuli::storage, s.storage, s.storage_std);
  mean_std(&CycleModuli::loss, s.loss, s.loss_std);
  mean_std(&CycleModuli::tan_delta, s.tan_delta, s.tan_delta_std);
  mean_std(&CycleModuli::harmonic2, s.harmonic2, unused);
  mean_std(&CycleModuli::harmonic3, s.harmonic3, unused);
  return s;
}

std::vector<CycleModuli> fit_cycles(const std::vector<double> &time, const std::vector<double> &signal,
                                    double t_start, double period, double strain_amplitude, int harmonics)
{
  if (time.size() != signal.size()) throw std::invalid_argument("fit_cycles: time and signal differ in length");
  if (!(period > 0.0)) throw std::invalid_argument("fit_cycles: period must be > 0");
  if (!(strain_amplitude > 0.0)) throw std::invalid_argument("fit_cycles: strain amplitude must be > 0");
  // An infinite period or amplitude, or a NaN start, fits no cycle and would report zeros.
  if (!std::isfinite(period) || !std::isfinite(strain_amplitude) || !std::isfinite(t_start))
    throw std::invalid_argument("fit_cycles: period, strain amplitude and t_start must be finite");
  for (size_t j = 0; j < time.size(); ++j) {
    if (!std::isfinite(time[j]) || !std::isfinite(signal[j]))
      throw std::invalid_argument("fit_cycles: times and signal values must be finite");
    // The cycle index below is a long: keep (t - t_start) / period far from its range.
    if (!(std::fabs((time[j] - t_start) / period) < 1e15))
      throw std::invalid_argument("fit_cycles: samples lie more than 1e15 periods from t_start");
  }
  std::vector<CycleModuli> cycles;
  if (time.empty()) return cycles;
  const double omega = 2.0 * M_PI / period;
  // Half a sample spacing of tolerance keeps samples at a cycle boundary in the cycle they start.
  const double spacing = time.size() > 1 ? (time.back() - time.front()) / double(time.size() - 1) : period;
  const double slack = 0.5 * spacing / period;
  CycleFit fit(harmonics);
  std::vector<double> rhs(fit.basis_size(), 0.0);
  long current = -1;
  auto finish = [&]() {
    if (current >= 0 && fit.samples() >= double(fit.basis_size())) cycles.push_back(cycle_moduli(fit.solve(rhs.data()), strain_amplitude));
  };
  for (size_t j = 0; j < time.size(); ++j) {
    const double phase_cycles = (time[j] - t_start) / period;
    if (phase_cycles < -slack) continue;    // before the oscillation starts
    const long cycle = long(std::floor(phase_cycles + slack));
    if (cycle != current) {
      finish();
      fit.reset();
      std::fill(rhs.begin(), rhs.end(), 0.0);
      current = cycle;
    }
    const double theta = omega * (time[j] - t_start);
    fit.add_phase(theta);
    fit.add_signal(theta, signal[j], rhs.data());
  }
  // The last cycle counts only if the samples reach its end.
  if (current >= 0 && time.back() >= t_start + (double(current) + 1.0) * period - 1.5 * spacing) finish();
  return cycles;
}

}    // namespace glassdyn
