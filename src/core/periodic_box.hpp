// A LAMMPS-style (possibly triclinic) simulation box for offline analysis.
#pragma once

#include <array>
#include <vector>

namespace glassdyn {

struct PeriodicBox {
  std::array<double, 3> lo{0.0, 0.0, 0.0};
  std::array<double, 3> hi{1.0, 1.0, 1.0};
  double xy = 0.0, xz = 0.0, yz = 0.0;    // tilt factors, as in LAMMPS
  std::array<bool, 3> periodic{true, true, true};
  // 2 for a LAMMPS `dimension 2` system: z is not a direction of the system (all atoms share
  // one z, the box is a thin slab), so it is never wrapped, imaged or width-checked.
  int dimension = 3;

  // Whether positions wrap along dimension k (periodic and a direction of the system).
  bool wraps(int k) const { return periodic[k] && k < dimension; }

  // Edge vectors a, b, c of the parallelepiped.
  std::array<double, 3> edge(int k) const;
  // Fractional coordinates in [0,1) along periodic dimensions after wrapping.
  std::array<double, 3> to_fractional(const double *x) const;
  std::array<double, 3> to_cartesian(const std::array<double, 3> &fractional) const;
  // Distance between the two faces perpendicular to each edge.
  std::array<double, 3> perpendicular_width() const;
  // Fractional coordinates wrapped into [0,1) along periodic dimensions.
  std::array<double, 3> wrapped_fractional(const double *x) const;
  // Cartesian positions of the periodic images (other than itself) of a point at wrapped
  // fractional coordinates that lie within `reach` of the box, as LAMMPS ghost atoms would.
  std::vector<std::array<double, 3>> images_near(const std::array<double, 3> &fractional, double reach) const;
  // Shortest distance between two points over the periodic images (27 shifts; exact when
  // the distance is below every perpendicular width).
  double minimum_image_distance(const double *a, const double *b) const;
  // Throws std::invalid_argument unless bounds and tilts are finite, every hi exceeds its lo,
  // dimension is 2 or 3, and a 2-D box has no z tilts.
  void validate() const;
};

}    // namespace glassdyn
