#include "periodic_box.hpp"

#include <cmath>
#include <stdexcept>

namespace glassdyn {

std::array<double, 3> PeriodicBox::edge(int k) const
{
  if (k == 0) return {hi[0] - lo[0], 0.0, 0.0};
  if (k == 1) return {xy, hi[1] - lo[1], 0.0};
  return {xz, yz, hi[2] - lo[2]};
}

std::array<double, 3> PeriodicBox::to_fractional(const double *x) const
{
  // The edge matrix is upper triangular, so back substitution inverts it.
  const double lz = hi[2] - lo[2], ly = hi[1] - lo[1], lx = hi[0] - lo[0];
  const double rz = x[2] - lo[2];
  const double fz = rz / lz;
  const double fy = (x[1] - lo[1] - fz * yz) / ly;
  const double fx = (x[0] - lo[0] - fy * xy - fz * xz) / lx;
  return {fx, fy, fz};
}

std::array<double, 3> PeriodicBox::to_cartesian(const std::array<double, 3> &f) const
{
  const double lx = hi[0] - lo[0], ly = hi[1] - lo[1], lz = hi[2] - lo[2];
  return {lo[0] + f[0] * lx + f[1] * xy + f[2] * xz, lo[1] + f[1] * ly + f[2] * yz, lo[2] + f[2] * lz};
}

std::array<double, 3> PeriodicBox::perpendicular_width() const
{
  const auto a = edge(0), b = edge(1), c = edge(2);
  auto cross = [](const std::array<double, 3> &u, const std::array<double, 3> &v) {
    return std::array<double, 3>{u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
  };
  auto norm = [](const std::array<double, 3> &u) { return std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]); };
  const double volume = a[0] * b[1] * c[2];
  return {volume / norm(cross(b, c)), volume / norm(cross(c, a)), volume / norm(cross(a, b))};
}

void PeriodicBox::validate() const
{
  for (int k = 0; k < 3; ++k)
    if (!(hi[k] > lo[k])) throw std::invalid_argument("box: every hi must exceed its lo");
}

}    // namespace glassdyn
