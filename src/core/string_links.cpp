#include "string_links.hpp"

#include "cell_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace glassdyn {

namespace {

double distance_squared(const double *a, const double *b)
{
  const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return dx * dx + dy * dy + dz * dz;
}

bool moved_into_old_site(const MobilePoints &points, size_t mover, size_t site_owner, double delta)
{
  const double *r_now = &points.position[3 * mover];
  const double *r = &points.position[3 * site_owner];
  const double *d = &points.displacement[3 * site_owner];
  const double old_site[3] = {r[0] - d[0], r[1] - d[1], r[2] - d[2]};
  return distance_squared(r_now, old_site) < delta * delta;
}

}    // namespace

std::vector<std::pair<size_t, size_t>> find_string_links(const MobilePoints &points,
                                                         const PairTable &delta, double search_radius)
{
  if (points.position.size() != 3 * points.size() || points.displacement.size() != 3 * points.size())
    throw std::invalid_argument("find_string_links: inconsistent point arrays");
  std::vector<std::pair<size_t, size_t>> links;
  if (points.n_owned == 0) return links;
  if (!(search_radius > 0.0)) throw std::invalid_argument("find_string_links: search radius must be > 0");

  const CellGrid grid(points.position, search_radius);
  const double radius_squared = search_radius * search_radius;
  for (size_t i = 0; i < points.n_owned; ++i) {
    grid.for_each_candidate(i, [&](size_t j) {
      if (j == i || (j < points.n_owned && j < i)) return;
      if (distance_squared(&points.position[3 * i], &points.position[3 * j]) >= radius_squared) return;
      const double cut = delta.get(points.type[i], points.type[j]);
      if (moved_into_old_site(points, i, j, cut) || moved_into_old_site(points, j, i, cut))
        links.emplace_back(i, j);
    });
  }
  return links;
}

}    // namespace glassdyn
