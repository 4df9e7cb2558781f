#include "neighbour_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace glassdyn {

namespace {
constexpr int REACH = 2;    // cells per cutoff
}

void NeighbourSearch::find(const double *position, const int *type, size_t n_points, size_t n_query,
                           const PairTable &cutoff, NeighbourList &list)
{
  if (n_query > n_points) throw std::invalid_argument("NeighbourSearch: more query points than points");
  if (n_points >= size_t(std::numeric_limits<uint32_t>::max()))
    throw std::invalid_argument("NeighbourSearch: too many points for 32-bit indices");
  list.first.assign(n_query + 1, 0);
  list.index.clear();
  if (n_query == 0) return;
  const double radius = cutoff.max_value();
  if (!(radius > 0.0)) throw std::invalid_argument("NeighbourSearch: cutoff must be > 0");

  const int ntypes = cutoff.ntypes();
  cut_squared_.assign(size_t(ntypes + 1) * size_t(ntypes + 1), 0.0);
  for (int a = 1; a <= ntypes; ++a)
    for (int b = 1; b <= ntypes; ++b) {
      const double cut = cutoff.get(a, b);
      cut_squared_[size_t(a) * size_t(ntypes + 1) + size_t(b)] = cut * cut;
    }
  for (size_t p = 0; p < n_points; ++p)
    if (type[p] < 1 || type[p] > ntypes) throw std::invalid_argument("NeighbourSearch: atom type outside 1..ntypes");

  // Cells at least radius / REACH wide over the bounding box (a few per point at most, so that
  // sparse clouds in big boxes stay cheap): the partners of a point lie within REACH cells
  // along each axis. Half-radius cells scan about 40 % fewer candidates than radius-wide ones.
  for (int k = 0; k < 3; ++k) {
    double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    for (size_t p = 0; p < n_points; ++p) {
      lo = std::min(lo, position[3 * p + k]);
      hi = std::max(hi, position[3 * p + k]);
    }
    const double extent = std::max(hi - lo, 0.0);
    const double max_cells = std::max(1.0, std::cbrt(4.0 * double(n_points)) + 1.0);
    lo_[k] = lo;
    width_[k] = std::max(radius / REACH, extent / max_cells);
    count_[k] = std::max(1, int(extent / width_[k]) + 1);
  }
  const size_t ncells = size_t(count_[0]) * size_t(count_[1]) * size_t(count_[2]);
  cell_first_.assign(ncells + 1, 0);
  cell_of_.resize(n_points);
  for (size_t p = 0; p < n_points; ++p) {
    uint32_t index[3];
    for (int k = 0; k < 3; ++k)
      index[k] = uint32_t(std::min(count_[k] - 1, std::max(0, int((position[3 * p + k] - lo_[k]) / width_[k]))));
    cell_of_[p] = uint32_t((size_t(index[2]) * count_[1] + index[1]) * count_[0] + index[0]);
    ++cell_first_[cell_of_[p] + 1];
  }
  for (size_t c = 1; c <= ncells; ++c) cell_first_[c] += cell_first_[c - 1];
  // Counting sort, points in their original order within a cell.
  sorted_position_.resize(3 * n_points);
  sorted_type_.resize(n_points);
  sorted_point_.resize(n_points);
  {
    std::vector<size_t> &fill = fill_;
    fill.assign(cell_first_.begin(), cell_first_.end() - 1);
    for (size_t p = 0; p < n_points; ++p) {
      const size_t s = fill[cell_of_[p]]++;
      sorted_position_[3 * s] = position[3 * p];
      sorted_position_[3 * s + 1] = position[3 * p + 1];
      sorted_position_[3 * s + 2] = position[3 * p + 2];
      sorted_type_[s] = type[p];
      sorted_point_[s] = uint32_t(p);
    }
  }

  // Plain local pointers: the compiler then keeps them in registers across the push_back.
  const double *sorted_position = sorted_position_.data();
  const int *sorted_type = sorted_type_.data();
  const uint32_t *sorted_point = sorted_point_.data();
  const size_t *cell_first = cell_first_.data();
  const uint32_t *cell_of = cell_of_.data();
  const size_t row = size_t(ntypes + 1);
  for (size_t q = 0; q < n_query; ++q) {
    const double ri[3] = {position[3 * q], position[3 * q + 1], position[3 * q + 2]};
    const double *cut_row = &cut_squared_[size_t(type[q]) * row];
    const size_t c = cell_of[q];
    const int cx = int(c % size_t(count_[0])), cy = int((c / size_t(count_[0])) % size_t(count_[1])),
              cz = int(c / (size_t(count_[0]) * count_[1]));
    const int nx = count_[0], ny = count_[1], nz = count_[2];
    size_t found = 0;
    for (int z = std::max(cz - REACH, 0); z <= std::min(cz + REACH, nz - 1); ++z)
      for (int y = std::max(cy - REACH, 0); y <= std::min(cy + REACH, ny - 1); ++y) {
        // The cells along x of this row are consecutive in the sorted order.
        const size_t row_cell = (size_t(z) * size_t(ny) + size_t(y)) * size_t(nx);
        const size_t begin = cell_first[row_cell + size_t(std::max(cx - REACH, 0))];
        const size_t end = cell_first[row_cell + size_t(std::min(cx + REACH, nx - 1)) + 1];
        if (found + (end - begin) > candidates_.size()) candidates_.resize(2 * (found + (end - begin)));
        uint32_t *out = candidates_.data();
        // Branch-free: every candidate is written, and kept only if it is a neighbour.
        for (size_t s = begin; s < end; ++s) {
          const double *rj = sorted_position + 3 * s;
          const double dx = ri[0] - rj[0], dy = ri[1] - rj[1], dz = ri[2] - rj[2];
          out[found] = sorted_point[s];
          found += size_t((dx * dx + dy * dy + dz * dz < cut_row[sorted_type[s]]) & (sorted_point[s] != q));
        }
      }
    list.index.insert(list.index.end(), candidates_.begin(), candidates_.begin() + std::ptrdiff_t(found));
    list.first[q + 1] = list.index.size();
  }
}

double NeighbourSearch::memory_bytes() const
{
  return double(cut_squared_.capacity()) * sizeof(double) + double(cell_of_.capacity()) * sizeof(uint32_t) +
      double(cell_first_.capacity() + fill_.capacity()) * sizeof(size_t) +
      double(sorted_position_.capacity()) * sizeof(double) + double(sorted_type_.capacity()) * sizeof(int) +
      double(sorted_point_.capacity() + candidates_.capacity()) * sizeof(uint32_t);
}

}    // namespace glassdyn
