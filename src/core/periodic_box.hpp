// A LAMMPS-style (possibly triclinic) simulation box for offline analysis.
#pragma once

#include <array>

namespace glassdyn {

struct PeriodicBox {
  std::array<double, 3> lo{0.0, 0.0, 0.0};
  std::array<double, 3> hi{1.0, 1.0, 1.0};
  double xy = 0.0, xz = 0.0, yz = 0.0;    // tilt factors, as in LAMMPS
  std::array<bool, 3> periodic{true, true, true};

  // Edge vectors a, b, c of the parallelepiped.
  std::array<double, 3> edge(int k) const;
  // Fractional coordinates in [0,1) along periodic dimensions after wrapping.
  std::array<double, 3> to_fractional(const double *x) const;
  std::array<double, 3> to_cartesian(const std::array<double, 3> &fractional) const;
  // Distance between the two faces perpendicular to each edge.
  std::array<double, 3> perpendicular_width() const;
  void validate() const;
};

}    // namespace glassdyn
