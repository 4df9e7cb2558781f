// The atoms of one analysis window as every pipeline function sees them: on the fly the atoms
// a rank owns, offline all atoms of a dump. No LAMMPS types, so both front ends fill it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace glassdyn {

struct FrameAtoms {
  std::vector<int64_t> id;
  std::vector<int> type;                  // 1..ntypes
  std::vector<double> mass;               // per atom, used for the drift (may be empty without it)
  std::vector<char> in_group;             // analysed atoms
  std::vector<double> reference;          // unwrapped r(t0), 3 per atom
  std::vector<double> current;            // unwrapped r(t), 3 per atom

  size_t size() const { return id.size(); }
};

// Throws std::invalid_argument (message starts with `who`) unless the per-atom arrays agree in
// length, types lie in 1..ntypes, ids are >= 1, positions are finite and, if `with_mass`,
// masses are finite and > 0. O(N); the offline analyses call it once per window.
void check_frame_atoms(const FrameAtoms &atoms, int ntypes, bool with_mass, const std::string &who);

}    // namespace glassdyn
