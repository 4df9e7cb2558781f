#include "time_correlations.hpp"
#include "number_text.hpp"
#include "schema/correlations.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace glassdyn {

namespace {
namespace layout = schema::correlations;

// A diffusive lag: the log-log MSD slope from it to the last lag is within this distance of 1.
constexpr double DIFFUSIVE_TOLERANCE = 0.1;
constexpr double CHORD_SPAN = 2.0;
}    // namespace

void CorrelationOptions::validate() const
{
  if (every < 1) throw std::invalid_argument("every: N must be an integer >= 1 (steps between origins), got " +
                                             std::to_string(every));
  if (origins < 1 || origins > MAX_ORIGINS)
    throw std::invalid_argument("origins: K must be an integer in 1.." + std::to_string(MAX_ORIGINS) + ", got " +
                                std::to_string(origins));
  if (lags.empty() || lags.size() > size_t(MAX_LAGS))
    throw std::invalid_argument("lags: give 1.." + std::to_string(MAX_LAGS) + " lags, got " +
                                std::to_string(lags.size()));
  for (size_t k = 0; k < lags.size(); ++k) {
    if (lags[k] < 1) throw std::invalid_argument("lags: every lag must be >= 1 step, got " + std::to_string(lags[k]));
    if (k > 0 && lags[k] <= lags[k - 1])
      throw std::invalid_argument("lags: lags must increase strictly, got " + std::to_string(lags[k - 1]) +
                                  " then " + std::to_string(lags[k]));
  }
  // An origin lives until its longest lag; one starts every `every` steps, so K slots suffice
  // exactly when the longest lag is at most K * every.
  if (lags.back() > int64_t(origins) * every)
    throw std::invalid_argument("lags: the longest lag (" + std::to_string(lags.back()) +
                                " steps) must be <= origins x every = " + std::to_string(int64_t(origins) * every) +
                                " steps, or origins would have to be dropped; raise origins or every");
  if (!(q > 0.0) || !std::isfinite(q))
    throw std::invalid_argument("q: Q must be a finite wave number > 0 (1/length), got " + number_text(q));
  if (!(overlap >= 0.0) || !std::isfinite(overlap))
    throw std::invalid_argument("overlap: a must be a finite distance > 0, got " + number_text(overlap));
}

std::vector<int64_t> log_spaced_lags(int64_t lag_min, int64_t lag_max, int count)
{
  if (lag_min < 1 || lag_max < lag_min)
    throw std::invalid_argument("lags: log MIN MAX needs 1 <= MIN <= MAX, got " + std::to_string(lag_min) + " " +
                                std::to_string(lag_max));
  if (count < 1 || count > CorrelationOptions::MAX_LAGS)
    throw std::invalid_argument("lags: log COUNT must be in 1.." + std::to_string(CorrelationOptions::MAX_LAGS) +
                                ", got " + std::to_string(count));
  std::vector<int64_t> lags;
  for (int k = 0; k < count; ++k) {
    const double f = count == 1 ? 1.0 : double(k) / double(count - 1);
    const auto lag = int64_t(std::llround(std::exp(std::log(double(lag_min)) * (1.0 - f) +
                                                   std::log(double(lag_max)) * f)));
    if (lags.empty() || lag > lags.back()) lags.push_back(lag);
  }
  lags.back() = lag_max;    // exact end point despite rounding of exp(log(MAX))
  return lags;
}

std::vector<double> correlation_sample(const double *reference, const double *current, const int *type,
                                       const double *mass, const char *in_group, size_t n, int ntypes,
                                       const CorrelationOptions &options, const Communicator &comm)
{
  double drift[3] = {0.0, 0.0, 0.0};
  if (options.remove_drift) {
    double moment[4] = {0.0, 0.0, 0.0, 0.0};    // mass, then mass-weighted displacement
    for (size_t i = 0; i < n; ++i)
      if (in_group[i]) {
        moment[0] += mass[i];
        for (int k = 0; k < 3; ++k) moment[k + 1] += mass[i] * (current[3 * i + k] - reference[3 * i + k]);
      }
    comm.sum(moment, 4);
    if (moment[0] > 0.0)
      for (int k = 0; k < 3; ++k) drift[k] = moment[k + 1] / moment[0];
  }
  std::vector<double> sums(size_t(ntypes + 1) * SAMPLE_SUMS, 0.0);
  const double q = options.q, a = options.overlap;
  for (size_t i = 0; i < n; ++i) {
    if (!in_group[i]) continue;
    if (type[i] < 1 || type[i] > ntypes) throw std::invalid_argument("correlation_sample: atom type out of range");
    double r2 = 0.0;
    for (int k = 0; k < 3; ++k) {
      const double d = current[3 * i + k] - reference[3 * i + k] - drift[k];
      r2 += d * d;
    }
    const double r = std::sqrt(r2);
    const double qr = q * r;
    // sin(x)/x to double precision near 0 (the series 1 - x^2/6 + x^4/120 has error < x^6/5040).
    const double fs = qr < 1e-3 ? 1.0 - qr * qr / 6.0 + qr * qr * qr * qr / 120.0 : std::sin(qr) / qr;
    const double w = (a > 0.0 && r < a) ? 1.0 : 0.0;
    for (int set : {0, type[i]}) {
      double *s = &sums[size_t(set) * SAMPLE_SUMS];
      s[S_COUNT] += 1.0;
      s[S_R2] += r2;
      s[S_R4] += r2 * r2;
      s[S_FS] += fs;
      s[S_OVERLAP] += w;
    }
  }
  comm.sum(sums);
  return sums;
}

TimeCorrelations::TimeCorrelations(const CorrelationOptions &options, int ntypes) : options_(options), ntypes_(ntypes)
{
  options_.validate();
  if (ntypes < 1) throw std::invalid_argument("TimeCorrelations: ntypes must be >= 1");
  totals_.assign(size_t(lags()) * sets() * TOTALS, 0.0);
}

void TimeCorrelations::add(int lag_index, const std::vector<double> &sample)
{
  if (lag_index < 0 || lag_index >= lags()) throw std::invalid_argument("TimeCorrelations::add: lag index out of range");
  if (sample.size() != size_t(sets()) * SAMPLE_SUMS)
    throw std::invalid_argument("TimeCorrelations::add: sample has the wrong length");
  for (int set = 0; set < sets(); ++set) {
    const double *s = &sample[size_t(set) * SAMPLE_SUMS];
    if (s[S_COUNT] <= 0.0) continue;    // no atom of this set: Q is undefined for this origin
    double *t = &totals_[(size_t(lag_index) * sets() + set) * TOTALS];
    for (int k = 0; k < SAMPLE_SUMS; ++k) t[k] += s[k];
    const double q_value = (options_.overlap > 0.0 ? s[S_OVERLAP] : s[S_FS]) / s[S_COUNT];
    t[T_ORIGINS] += 1.0;
    t[T_Q] += q_value;
    t[T_Q2] += q_value * q_value;
  }
}

void TimeCorrelations::set_totals(const std::vector<double> &totals)
{
  if (totals.size() != totals_.size()) throw std::invalid_argument("TimeCorrelations: totals have the wrong length");
  totals_ = totals;
}

std::vector<double> TimeCorrelations::table(double dt) const
{
  const int width = layout::array.width(sets());
  std::vector<double> rows(size_t(lags()) * width, 0.0);
  for (int l = 0; l < lags(); ++l) {
    double *row = &rows[size_t(l) * width];
    row[layout::array.offset("lag", sets())] = double(options_.lags[size_t(l)]);
    row[layout::array.offset("time", sets())] = double(options_.lags[size_t(l)]) * dt;
    for (int set = 0; set < sets(); ++set) {
      const double n = total(l, set, T_COUNT), origins = total(l, set, T_ORIGINS);
      row[layout::array.offset("n_origins", sets(), set)] = origins;
      if (n <= 0.0) continue;
      const double msd = total(l, set, T_R2) / n, m4 = total(l, set, T_R4) / n;
      const double mean_q = total(l, set, T_Q) / origins, mean_q2 = total(l, set, T_Q2) / origins;
      row[layout::array.offset("msd", sets(), set)] = msd;
      row[layout::array.offset("alpha2", sets(), set)] = msd > 0.0 ? 3.0 * m4 / (5.0 * msd * msd) - 1.0 : 0.0;
      row[layout::array.offset("fs", sets(), set)] = total(l, set, T_FS) / n;
      row[layout::array.offset("overlap", sets(), set)] = total(l, set, T_OVERLAP) / n;
      // N is the mean number of atoms of the set per origin.
      row[layout::array.offset("chi4", sets(), set)] = (n / origins) * (mean_q2 - mean_q * mean_q);
    }
  }
  return rows;
}

DerivedTimes derive_times(const std::vector<double> &time, const std::vector<double> &msd,
                          const std::vector<double> &fs, const std::vector<double> &alpha2,
                          const std::vector<double> &chi4, const std::vector<double> &n_origins)
{
  DerivedTimes out;
  std::vector<size_t> measured;
  for (size_t l = 0; l < time.size(); ++l)
    if (n_origins[l] > 0.0) measured.push_back(l);
  if (measured.empty()) return out;

  const double threshold = std::exp(-1.0);
  for (size_t k = 1; k < measured.size(); ++k) {
    const size_t a = measured[k - 1], b = measured[k];
    if (fs[a] >= threshold && fs[b] < threshold) {
      const double f = (fs[a] - threshold) / (fs[a] - fs[b]);
      out.tau_alpha = std::exp(std::log(time[a]) + f * (std::log(time[b]) - std::log(time[a])));
      break;
    }
    if (fs[a] < threshold) break;    // below 1/e at the first measured lag: not resolved
  }

  // Diffusive range: the chord of ln MSD against ln t from a lag to the last measured lag has a
  // slope within DIFFUSIVE_TOLERANCE of 1. Chords span at least a factor CHORD_SPAN in time, so
  // the noise of neighbouring lags (a few per cent at the longest lags) cannot decide alone.
  // Walking back from the last lag, the range extends while the condition holds.
  const size_t last = measured.back();
  size_t first = measured.size() - 1;
  for (size_t k = measured.size() - 1; k-- > 0;) {
    const size_t a = measured[k];
    if (time[last] < CHORD_SPAN * time[a]) continue;    // too close to the last lag to judge
    if (!(msd[a] > 0.0 && msd[last] > 0.0)) break;
    const double slope = std::log(msd[last] / msd[a]) / std::log(time[last] / time[a]);
    if (std::fabs(slope - 1.0) > DIFFUSIVE_TOLERANCE) break;
    first = k;
  }
  if (first + 1 < measured.size()) {
    double st = 0.0, sm = 0.0, stt = 0.0, stm = 0.0;
    const double m = double(measured.size() - first);
    for (size_t k = first; k < measured.size(); ++k) {
      const double t = time[measured[k]], y = msd[measured[k]];
      st += t;
      sm += y;
      stt += t * t;
      stm += t * y;
    }
    out.diffusion = (m * stm - st * sm) / (m * stt - st * st) / 6.0;
    out.diffusive_from = time[measured[first]];
    out.diffusive_to = time[measured.back()];
  }

  size_t peak_a = measured[0], peak_c = measured[0];
  for (size_t l : measured) {
    if (alpha2[l] > alpha2[peak_a]) peak_a = l;
    if (chi4[l] > chi4[peak_c]) peak_c = l;
  }
  out.t_star = time[peak_a];
  out.alpha2_peak = alpha2[peak_a];
  out.chi4_peak = chi4[peak_c];
  out.chi4_time = time[peak_c];
  return out;
}

std::vector<double> TimeCorrelations::summary(double dt) const
{
  const std::vector<double> rows = table(dt);
  const int width = layout::array.width(sets());
  const size_t nl = size_t(lags());
  std::vector<double> out(size_t(layout::vector.width(sets())), 0.0);
  auto column = [&](const char *name, int set) {
    std::vector<double> c(nl);
    for (size_t l = 0; l < nl; ++l) c[l] = rows[l * width + layout::array.offset(name, sets(), set)];
    return c;
  };
  for (int set = 0; set < sets(); ++set) {
    const DerivedTimes d = derive_times(column("time", 0), column("msd", set), column("fs", set),
                                        column("alpha2", set), column("chi4", set), column("n_origins", set));
    double *v = &out[size_t(layout::vector.offset("tau_alpha", sets(), set))];
    const double values[] = {d.tau_alpha, d.diffusion, d.diffusive_from, d.diffusive_to,
                             d.t_star, d.alpha2_peak, d.chi4_peak, d.chi4_time};
    static_assert(sizeof(values) / sizeof(double) == size_t(layout::vector.size()), "one value per column");
    for (int k = 0; k < layout::vector.size(); ++k) v[k] = values[k];
  }
  return out;
}

}    // namespace glassdyn
