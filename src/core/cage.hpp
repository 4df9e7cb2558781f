// Cage breaking: which neighbours of an atom at the window start are lost by its end.
#pragma once

#include "pair_table.hpp"
#include "periodic_box.hpp"
#include "string_analysis.hpp"

#include <cstdint>
#include <vector>

namespace glassdyn {

// For each of the first `n_owned` points, the indices of every other point closer than
// cutoff(type_i, type_j). Periodic images must be present as extra points.
std::vector<std::vector<size_t>> neighbours_within(const std::vector<double> &position, const std::vector<int> &type,
                                                   size_t n_owned, const PairTable &cutoff);

struct CageOutcome {
  int64_t n_lost = 0;
  bool broken = false;
};

// A neighbour is lost when its distance now exceeds its cutoff times (1 + hysteresis), or when
// it cannot be found (distance < 0). The cage is broken when at least `nlost` are lost.
CageOutcome compare_cage(const std::vector<double> &distance_now, const std::vector<double> &cutoff,
                         double hysteresis, int64_t nlost);

struct CageOptions {
  PairTable cutoff;
  double hysteresis = 0.1;
  int64_t nlost = 1;
};

struct CageResult {
  std::vector<int64_t> n_cage, n_lost;    // per atom (0 outside the group)
  std::vector<char> broken;
  // Index t-1 for type t: analysed atoms, broken cages, neighbours lost, cage sizes.
  std::vector<int64_t> atoms_by_type, broken_by_type, lost_by_type, cage_by_type;
};

// One window offline: cages from the reference frame (wrapped into `start_box`), losses from
// the current frame by minimum-image distances in `end_box`. Atoms outside the group still
// count as neighbours. Uses FrameAtoms' id, type, in_group, reference and current.
CageResult analyse_cages(const PeriodicBox &start_box, const PeriodicBox &end_box, const FrameAtoms &atoms,
                         const CageOptions &options);

}    // namespace glassdyn
