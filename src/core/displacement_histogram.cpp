#include "displacement_histogram.hpp"
#include "number_text.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace glassdyn {

void HistogramSpec::validate() const
{
  if (bins < 1 || bins > MAX_BINS)
    throw std::invalid_argument("bins: N must be an integer in 1.." + std::to_string(MAX_BINS) + ", got " +
                                std::to_string(bins));
  if (!(u_max > 0.0) || !std::isfinite(u_max))
    throw std::invalid_argument("umax: U must be > 0 (a finite distance), got " + number_text(u_max));
  if (!(log_min < std::log10(u_max)) || !std::isfinite(log_min))
    throw std::invalid_argument("logmin: L must be < log10(umax) = " + number_text(std::log10(u_max), 4) + ", got " +
                                number_text(log_min));
  // NaN would make every "u > beyond" false and report fraction_beyond = 0 for any data.
  if (!(beyond >= 0.0)) throw std::invalid_argument("beyond: B must be >= 0, got " + number_text(beyond));
}

DisplacementHistogram::DisplacementHistogram(const HistogramSpec &spec, int ntypes) :
    spec_(spec), ntypes_(ntypes), stride_(FIRST_BIN + 2 * size_t(spec.bins))
{
  spec.validate();
  if (ntypes < 1) throw std::invalid_argument("histogram: ntypes must be >= 1");
  tallies_.assign(stride_ * size_t(ntypes + 1), 0.0);
}

void DisplacementHistogram::add(double u, int type)
{
  if (type < 1 || type > ntypes_) throw std::invalid_argument("histogram: atom type out of range");
  // One comparison pair per value: NaN fails both, so it can never reach a bin index below,
  // nor can a negative u (a negative bin) or an infinite one (an infinite sum).
  if (!(u >= 0.0 && u <= std::numeric_limits<double>::max()))
    throw std::invalid_argument("histogram: displacement u must be finite and >= 0");
  const double log_max = std::log10(spec_.u_max);
  for (int set : {0, type}) {
    double *t = &tallies_[offset(set)];
    t[COUNT] += 1.0;
    t[SUM_U] += u;
    if (u > spec_.beyond) t[BEYOND] += 1.0;
    if (u >= spec_.u_max) {
      t[OVER] += 1.0;
      continue;
    }
    t[FIRST_BIN + int(u / spec_.u_max * spec_.bins)] += 1.0;
    if (u > 0.0) {
      const double lu = std::log10(u);
      if (lu >= spec_.log_min)
        t[FIRST_BIN + spec_.bins + std::min(spec_.bins - 1, int((lu - spec_.log_min) / (log_max - spec_.log_min) * spec_.bins))] += 1.0;
    }
  }
}

double DisplacementHistogram::bin_centre(int b) const
{
  return (b + 0.5) * spec_.u_max / spec_.bins;
}

double DisplacementHistogram::log_bin_centre(int b) const
{
  return spec_.log_min + (b + 0.5) * (std::log10(spec_.u_max) - spec_.log_min) / spec_.bins;
}

std::vector<DistributionSet> DisplacementHistogram::distributions() const
{
  const double du = spec_.u_max / spec_.bins;
  const double dlog = (std::log10(spec_.u_max) - spec_.log_min) / spec_.bins;
  std::vector<DistributionSet> sets(ntypes_ + 1);
  for (int s = 0; s <= ntypes_; ++s) {
    const double *t = &tallies_[offset(s)];
    auto &out = sets[s];
    out.count = t[COUNT];
    out.density.assign(spec_.bins, 0.0);
    out.log_density.assign(spec_.bins, 0.0);
    if (out.count <= 0.0) continue;
    int mode = 0;
    for (int b = 0; b < spec_.bins; ++b) {
      out.density[b] = t[FIRST_BIN + b] / (out.count * du);
      out.log_density[b] = t[FIRST_BIN + spec_.bins + b] / (out.count * dlog);
      if (t[FIRST_BIN + b] > t[FIRST_BIN + mode]) mode = b;
    }
    out.mean = t[SUM_U] / out.count;
    // No atom below u_max: there is no most probable u inside the histogram.
    out.most_probable = t[FIRST_BIN + mode] > 0.0 ? bin_centre(mode) : 0.0;
    out.fraction_beyond = t[BEYOND] / out.count;
    out.fraction_over = t[OVER] / out.count;
  }
  return sets;
}

}    // namespace glassdyn
