#include "string_summary.hpp"

#include <stdexcept>

namespace glassdyn {

StringSummary summarise_strings(const std::vector<int64_t> &string_sizes, int64_t n_fast,
                                int64_t long_threshold, int64_t maxsize)
{
  if (maxsize < 1) throw std::invalid_argument("summarise_strings: maxsize must be >= 1");
  StringSummary s;
  s.n_fast = n_fast;
  s.size_histogram.assign(size_t(maxsize) + 1, 0);
  // Sums are integers, so the summary is exact and the same on any number of processes.
  int64_t sum_xi_squared = 0;
  for (int64_t xi : string_sizes) {
    if (xi < 2) throw std::invalid_argument("summarise_strings: a string has at least 2 atoms");
    s.n_strings += 1;
    s.n_string_atoms += xi;
    sum_xi_squared += xi * xi;
    if (xi >= long_threshold) s.n_long_atoms += xi;
    ++s.size_histogram[size_t(xi <= maxsize ? xi - 1 : maxsize)];
  }
  if (s.n_string_atoms > n_fast) throw std::invalid_argument("summarise_strings: more string atoms than mobile atoms");
  const int64_t isolated = n_fast - s.n_string_atoms;
  if (maxsize >= 1) s.size_histogram[0] += isolated;
  if (s.n_strings > 0) {
    s.mean_size_number = double(s.n_string_atoms) / double(s.n_strings);
    s.mean_size_weight = double(sum_xi_squared) / double(s.n_string_atoms);
  }
  if (n_fast > 0) s.string_fraction = double(s.n_string_atoms) / double(n_fast);
  if (s.n_string_atoms > 0) s.long_fraction = double(s.n_long_atoms) / double(s.n_string_atoms);
  return s;
}

}    // namespace glassdyn
