// Fixed-radius neighbour search with per-type-pair cutoffs, into a compact list (CSR), with
// buffers kept between calls so that a search at every window start allocates nothing once
// the sizes have settled.
#pragma once

#include "pair_table.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace glassdyn {

// The neighbours of query point q are index[first[q] .. first[q + 1] - 1] (point indices).
struct NeighbourList {
  std::vector<size_t> first;
  std::vector<uint32_t> index;

  size_t count(size_t q) const { return first[q + 1] - first[q]; }
  double memory_bytes() const
  {
    return double(first.capacity()) * sizeof(size_t) + double(index.capacity()) * sizeof(uint32_t);
  }
};

class NeighbourSearch {
 public:
  // For each of the first `n_query` of the `n_points` points (3 coordinates each in
  // `position`), every other point closer than cutoff(type_i, type_j): the pair test is
  // |r_i - r_j|^2 < cutoff^2. Periodic images must be present as extra points. Points are
  // sorted into cells half the largest cutoff wide once, and each query scans the 5 x 5 x 5
  // cells around its own, row by row (contiguous memory). Throws std::invalid_argument on
  // inconsistent input or a cutoff that is not > 0.
  void find(const double *position, const int *type, size_t n_points, size_t n_query, const PairTable &cutoff,
            NeighbourList &list);

  // Bytes held by the buffers kept between calls.
  double memory_bytes() const;

 private:
  double lo_[3] = {0.0, 0.0, 0.0}, width_[3] = {1.0, 1.0, 1.0};
  int count_[3] = {1, 1, 1};
  std::vector<double> cut_squared_;      // (ntypes + 1)^2, by type pair
  std::vector<uint32_t> cell_of_;        // per point
  std::vector<size_t> cell_first_;       // per cell + 1: sorted points of each cell
  std::vector<double> sorted_position_;  // 3 per point, in cell order
  std::vector<int> sorted_type_;
  std::vector<uint32_t> sorted_point_;   // original index of each sorted point
  std::vector<size_t> fill_;             // counting-sort cursors
  std::vector<uint32_t> candidates_;     // one query's neighbours before they are appended
};

}    // namespace glassdyn
