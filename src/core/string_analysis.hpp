// String-like motion of one window, computed in one process (the offline twin of
// compute stringlike/atom). It uses the same selection, link and summary code.
#pragma once

#include "pair_table.hpp"
#include "periodic_box.hpp"
#include "string_summary.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace glassdyn {

struct StringOptions {
  PairTable delta;                 // pair-test distance per type pair
  bool select_by_fraction = true;  // else by the range [u_low, u_high]
  double fraction = 0.05;
  double u_low = 0.0, u_high = 0.0;
  int64_t long_threshold = 6;
  int64_t maxsize = 50;
  bool remove_drift = true;
};

// Number of mobile atoms for a fraction of a group: round half away from zero of f*N.
int64_t mobile_count(double fraction, int64_t group_size);

struct FrameAtoms {
  std::vector<int64_t> id;
  std::vector<int> type;                  // 1..ntypes
  std::vector<double> mass;               // per atom, used for the drift
  std::vector<char> in_group;             // analysed atoms
  std::vector<double> reference;          // unwrapped r(t0), 3 per atom
  std::vector<double> current;            // unwrapped r(t), 3 per atom
};

// Throws std::invalid_argument (message starts with `who`) unless the per-atom arrays agree in
// length, types lie in 1..ntypes, ids are >= 1, positions are finite and, if `with_mass`,
// masses are finite and > 0. O(N); the offline analyses call it once per window.
void check_frame_atoms(const FrameAtoms &atoms, int ntypes, bool with_mass, const std::string &who);

struct StringResult {
  std::vector<char> mobile;
  std::vector<int64_t> string_id;        // smallest atom id of the string, 0 if none
  std::vector<int64_t> string_size;      // xi; 1 for isolated mobile atoms, 0 otherwise
  std::vector<double> displacement;      // u
  std::array<double, 3> drift{0.0, 0.0, 0.0};
  StringSummary summary;
  // Index t-1 for type t: mobile, string and long-string atoms of each type.
  std::vector<int64_t> fast_by_type, string_by_type, long_by_type;
};

StringResult analyse_strings(const PeriodicBox &box, const FrameAtoms &atoms, const StringOptions &options);

}    // namespace glassdyn
