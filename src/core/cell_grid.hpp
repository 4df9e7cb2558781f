// Uniform cell lists over a cloud of points, for fixed-radius neighbour searches.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace glassdyn {

// Uniform cell grid over the bounding box of the points, cells at least `cell_size` wide,
// so every partner of a point lies in its own or one of the 26 adjacent cells.
class CellGrid {
 public:
  CellGrid(const std::vector<double> &position, double cell_size)
  {
    const size_t n = position.size() / 3;
    for (int k = 0; k < 3; ++k) {
      lo_[k] = std::numeric_limits<double>::max();
      double hi = std::numeric_limits<double>::lowest();
      for (size_t i = 0; i < n; ++i) {
        lo_[k] = std::min(lo_[k], position[3 * i + k]);
        hi = std::max(hi, position[3 * i + k]);
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
      cell_of_[i] = cell_index(&position[3 * i]);
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

}    // namespace glassdyn
