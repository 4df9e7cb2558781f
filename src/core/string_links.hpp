// The Donati-Glotzer cross-time pair test between mobile atoms.
#pragma once

#include "pair_table.hpp"

#include <utility>
#include <vector>

namespace glassdyn {

// Mobile atoms as a plain point cloud, with periodic images given as explicit extra points.
// The first `n_owned` points are the atoms this process analyses; the rest are partner-only
// copies (LAMMPS ghost atoms, or periodic images made by the offline analysis).
struct MobilePoints {
  std::vector<double> position;        // current position r(t), 3 per point
  std::vector<double> displacement;    // r(t) - r(t0) with drift removed, 3 per point
  std::vector<int> type;               // 1..ntypes
  size_t n_owned = 0;

  size_t size() const { return type.size(); }
  void add(const double *x, const double *d, int atom_type)
  {
    position.insert(position.end(), x, x + 3);
    displacement.insert(displacement.end(), d, d + 3);
    type.push_back(atom_type);
  }
};

// Links (i, j) where i is owned, i != j, and one atom's current position lies within
// delta(type_i, type_j) of the other's position at t0. The t0 position of a point is
// recovered as r(t) - d, which is right for every periodic image of it. Each unordered
// owned-owned pair is reported once.
//
// Candidates are searched within `search_radius` of r_i(t); a partner that satisfies the
// test is never farther than delta_max + max(u_i, u_j), which the caller must not exceed.
std::vector<std::pair<size_t, size_t>> find_string_links(const MobilePoints &points,
                                                         const PairTable &delta, double search_radius);

}    // namespace glassdyn
