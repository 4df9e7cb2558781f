// Step 2 of the string (and future percolation) pipeline: which atoms of the group are mobile.
#pragma once

#include "communicator.hpp"
#include "frame.hpp"

#include <cstdint>
#include <vector>

namespace glassdyn {

// Number of mobile atoms for a fraction of a group: round half away from zero of f*N.
int64_t mobile_count(double fraction, int64_t group_size);

struct MobileCriterion {
  bool by_fraction = true;    // the `fraction` of the group with the largest u ...
  double fraction = 0.05;
  double u_low = 0.0, u_high = 0.0;    // ... or every atom with u_low <= u <= u_high
};

// Flags per atom (0 outside the group). By fraction, the set is the same on any number of
// ranks: the group size is summed over ranks and ties go to the smaller atom ID.
std::vector<char> select_mobile(const FrameAtoms &atoms, const std::vector<double> &u, const MobileCriterion &criterion,
                                const Communicator &comm);

}    // namespace glassdyn
