#include "string_links.hpp"

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

// Uniform cell grid over the bounding box of the points, cells at least `cell_size` wide,
// so every partner of a point lies in its own or one of the 26 adjacent cells.
class CellGrid {
 public:
  CellGrid(const MobilePoints &points, double cell_size)
  {
    const size_t n = points.size();
    for (int k = 0; k < 3; ++k) {
      lo_[k] = std::numeric_limits<double>::max();
      double hi = std::numeric_limits<double>::lowest();
      for (size_t i = 0; i < n; ++i) {
        lo_[k] = std::min(lo_[k], points.position[3 * i + k]);
        hi = std::max(hi, points.position[3 * i + k]);
      }
      // Cap the grid at a few cells per point so sparse clouds in big boxes stay cheap.
      const double extent = std::max(hi - lo_[k], 0.0);
      const double max_cells = std::max(1.0, std::cbrt(4.0 * double(n)) + 1.0);
      width_[k] = std::max(cell_size, extent / max_cells);
      count_[k] = std::max(1, int(extent / width_[k]) + 1);
    }
    first_.assign(size_t(count_[0]) * count_[1] * count_[2] + 1, 0);
    cell_of_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      cell_of_[i] = cell_index(&points.position[3 * i]);
      ++first_[cell_of_[i] + 1];
    }
    for (size_t c = 1; c < first_.size(); ++c) first_[c] += first_[c - 1];
    members_.resize(n);
    std::vector<size_t> fill(first_.begin(), first_.end() - 1);
    for (size_t i = 0; i < n; ++i) members_[fill[cell_of_[i]]++] = i;
  }

  template <typename Visit> void for_each_candidate(size_t i, Visit visit) const
  {
    const size_t c = cell_of_[i];
    const int cx = int(c % count_[0]), cy = int((c / count_[0]) % count_[1]),
              cz = int(c / (size_t(count_[0]) * count_[1]));
    for (int z = std::max(cz - 1, 0); z <= std::min(cz + 1, count_[2] - 1); ++z)
      for (int y = std::max(cy - 1, 0); y <= std::min(cy + 1, count_[1] - 1); ++y)
        for (int x = std::max(cx - 1, 0); x <= std::min(cx + 1, count_[0] - 1); ++x) {
          const size_t cell = (size_t(z) * count_[1] + y) * count_[0] + x;
          for (size_t m = first_[cell]; m < first_[cell + 1]; ++m) visit(members_[m]);
        }
  }

 private:
  size_t cell_index(const double *x) const
  {
    int index[3];
    for (int k = 0; k < 3; ++k)
      index[k] = std::min(count_[k] - 1, std::max(0, int((x[k] - lo_[k]) / width_[k])));
    return (size_t(index[2]) * count_[1] + index[1]) * count_[0] + index[0];
  }

  double lo_[3], width_[3];
  int count_[3];
  std::vector<size_t> first_, members_, cell_of_;
};

}    // namespace

std::vector<std::pair<size_t, size_t>> find_string_links(const MobilePoints &points,
                                                         const PairTable &delta, double search_radius)
{
  if (points.position.size() != 3 * points.size() || points.displacement.size() != 3 * points.size())
    throw std::invalid_argument("find_string_links: inconsistent point arrays");
  std::vector<std::pair<size_t, size_t>> links;
  if (points.n_owned == 0) return links;
  if (!(search_radius > 0.0)) throw std::invalid_argument("find_string_links: search radius must be > 0");

  const CellGrid grid(points, search_radius);
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
