#include "window_displacement.hpp"

#include <cmath>

namespace glassdyn {

WindowDisplacements window_displacements(const FrameAtoms &atoms, bool remove_drift, const Communicator &comm)
{
  const size_t n = atoms.size();
  WindowDisplacements out;
  out.d.resize(3 * n);
  for (size_t i = 0; i < 3 * n; ++i) out.d[i] = atoms.current[i] - atoms.reference[i];
  if (remove_drift) {
    double moment[4] = {0.0, 0.0, 0.0, 0.0};    // mass, then mass-weighted displacement
    for (size_t i = 0; i < n; ++i)
      if (atoms.in_group[i]) {
        moment[0] += atoms.mass[i];
        for (int k = 0; k < 3; ++k) moment[k + 1] += atoms.mass[i] * out.d[3 * i + k];
      }
    comm.sum(moment, 4);
    if (moment[0] > 0.0)
      for (int k = 0; k < 3; ++k) out.drift[k] = moment[k + 1] / moment[0];
    for (size_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) out.d[3 * i + k] -= out.drift[k];
  }
  out.u.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    if (atoms.in_group[i]) {
      const double *di = &out.d[3 * i];
      out.u[i] = std::sqrt(di[0] * di[0] + di[1] * di[1] + di[2] * di[2]);
    }
  return out;
}

}    // namespace glassdyn
