// Step 1 of every window pipeline: each atom's displacement over the window, optionally
// without the centre-of-mass drift of the analysed group.
#pragma once

#include "communicator.hpp"
#include "frame.hpp"

#include <array>
#include <vector>

namespace glassdyn {

struct WindowDisplacements {
  std::vector<double> d;    // r(t) - r(t0) - drift, 3 per atom
  std::vector<double> u;    // |d| for atoms of the group, 0 for the others
  std::array<double, 3> drift{0.0, 0.0, 0.0};
};

// The drift is the mass-weighted mean displacement of the group over all ranks (one sum of
// 4 doubles). Uses atoms.mass only when `remove_drift`.
WindowDisplacements window_displacements(const FrameAtoms &atoms, bool remove_drift, const Communicator &comm);

}    // namespace glassdyn
