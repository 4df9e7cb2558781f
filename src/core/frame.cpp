#include "frame.hpp"

#include <cmath>
#include <stdexcept>

namespace glassdyn {

void check_frame_atoms(const FrameAtoms &atoms, int ntypes, bool with_mass, const std::string &who)
{
  const size_t n = atoms.id.size();
  if (atoms.type.size() != n || (with_mass && atoms.mass.size() != n) || atoms.in_group.size() != n ||
      atoms.reference.size() != 3 * n || atoms.current.size() != 3 * n)
    throw std::invalid_argument(who + ": per-atom arrays differ in length");
  for (size_t i = 0; i < n; ++i) {
    const int t = atoms.type[i];
    if (t < 1 || t > ntypes)
      throw std::invalid_argument(who + ": atom type " + std::to_string(t) + " outside 1.." + std::to_string(ntypes));
    // A label of 0 means "no string", so ids start at 1 as in LAMMPS.
    if (atoms.id[i] < 1) throw std::invalid_argument(who + ": atom ids must be >= 1");
    // A NaN position would pass every distance test as "not closer" and still be selected
    // as the most mobile atom; refuse it before it reaches a cell index.
    for (int k = 0; k < 3; ++k)
      if (!std::isfinite(atoms.reference[3 * i + k]) || !std::isfinite(atoms.current[3 * i + k]))
        throw std::invalid_argument(who + ": positions must be finite (atom id " + std::to_string(atoms.id[i]) + ")");
    if (with_mass && !(atoms.mass[i] > 0.0 && std::isfinite(atoms.mass[i])))
      throw std::invalid_argument(who + ": masses must be finite and > 0 (atom id " + std::to_string(atoms.id[i]) +
                                  ")");
  }
}

}    // namespace glassdyn
