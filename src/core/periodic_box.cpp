#include "periodic_box.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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

std::array<double, 3> PeriodicBox::wrapped_fractional(const double *x) const
{
  auto f = to_fractional(x);
  for (int k = 0; k < 3; ++k)
    if (wraps(k)) f[k] -= std::floor(f[k]);
  return f;
}

std::vector<std::array<double, 3>> PeriodicBox::images_near(const std::array<double, 3> &fractional,
                                                            double reach) const
{
  const auto width = perpendicular_width();
  std::vector<std::array<double, 3>> images;
  int span[3];
  for (int k = 0; k < 3; ++k) span[k] = wraps(k) ? 1 : 0;
  for (int sz = -span[2]; sz <= span[2]; ++sz)
    for (int sy = -span[1]; sy <= span[1]; ++sy)
      for (int sx = -span[0]; sx <= span[0]; ++sx) {
        if (sx == 0 && sy == 0 && sz == 0) continue;
        const std::array<double, 3> f{fractional[0] + sx, fractional[1] + sy, fractional[2] + sz};
        bool near = true;
        for (int k = 0; k < 3; ++k) near = near && f[k] >= -reach / width[k] && f[k] <= 1.0 + reach / width[k];
        if (near) images.push_back(to_cartesian(f));
      }
  return images;
}

double PeriodicBox::minimum_image_distance(const double *a, const double *b) const
{
  const auto fa = to_fractional(a), fb = to_fractional(b);
  std::array<double, 3> df{fa[0] - fb[0], fa[1] - fb[1], fa[2] - fb[2]};
  for (int k = 0; k < 3; ++k)
    if (wraps(k)) df[k] -= std::round(df[k]);
  double best = std::numeric_limits<double>::max();
  int span[3];
  for (int k = 0; k < 3; ++k) span[k] = wraps(k) ? 1 : 0;
  for (int sz = -span[2]; sz <= span[2]; ++sz)
    for (int sy = -span[1]; sy <= span[1]; ++sy)
      for (int sx = -span[0]; sx <= span[0]; ++sx) {
        const std::array<double, 3> f{df[0] + sx, df[1] + sy, df[2] + sz};
        const auto origin = to_cartesian({0.0, 0.0, 0.0});
        const auto r = to_cartesian(f);
        const double dx = r[0] - origin[0], dy = r[1] - origin[1], dz = r[2] - origin[2];
        best = std::min(best, std::sqrt(dx * dx + dy * dy + dz * dz));
      }
  return best;
}

void PeriodicBox::validate() const
{
  if (dimension != 2 && dimension != 3) throw std::invalid_argument("box: dimension must be 2 or 3");
  for (int k = 0; k < 3; ++k) {
    if (!std::isfinite(lo[k]) || !std::isfinite(hi[k])) throw std::invalid_argument("box: bounds must be finite");
    if (!(hi[k] > lo[k])) throw std::invalid_argument("box: every hi must exceed its lo");
  }
  if (!std::isfinite(xy) || !std::isfinite(xz) || !std::isfinite(yz))
    throw std::invalid_argument("box: tilt factors must be finite");
  if (dimension == 2 && (xz != 0.0 || yz != 0.0))
    throw std::invalid_argument("box: a 2-D box cannot have xz or yz tilt");
}

}    // namespace glassdyn
