// Global observables of string-like motion from the list of string sizes.
#pragma once

#include <cstdint>
#include <vector>

namespace glassdyn {

struct StringSummary {
  int64_t n_fast = 0;            // mobile atoms
  int64_t n_string_atoms = 0;    // atoms in strings of size >= 2
  int64_t n_long_atoms = 0;      // atoms in strings of size >= long_threshold
  int64_t n_strings = 0;         // strings of size >= 2
  double mean_size_number = 0.0;    // <xi>_n = sum xi n(xi) / sum n(xi), xi >= 2
  double mean_size_weight = 0.0;    // L_w = sum xi^2 n(xi) / sum xi n(xi), xi >= 2
  double string_fraction = 0.0;     // N_str / N_fast (0 when N_fast = 0)
  double long_fraction = 0.0;       // N_long / N_str (0 when N_str = 0)
  // size_histogram[xi - 1] = number of clusters of size xi for xi = 1..maxsize (xi = 1 counts
  // isolated mobile atoms); the last entry counts clusters larger than maxsize.
  std::vector<int64_t> size_histogram;
};

// `string_sizes` holds one entry per string (size >= 2); `n_fast` is the number of mobile atoms.
StringSummary summarise_strings(const std::vector<int64_t> &string_sizes, int64_t n_fast,
                                int64_t long_threshold, int64_t maxsize);

}    // namespace glassdyn
