// A symmetric per-type-pair table of distances (e.g. the string pair-test delta).
#pragma once

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace glassdyn {

class PairTable {
 public:
  PairTable() = default;
  // Types run from 1 to ntypes, as in LAMMPS; every pair starts at `value`.
  // The size is computed in size_t: (ntypes + 1)^2 in int overflowed for large ntypes and gave
  // a table too small for the indices (a segfault offline with a type of 10^9).
  PairTable(int ntypes, double value) :
      ntypes_(ntypes), values_(size_t(std::max(ntypes, 0) + 1) * size_t(std::max(ntypes, 0) + 1), value)
  {
  }

  void set(int type_i, int type_j, double value)
  {
    check(type_i);
    check(type_j);
    values_[index(type_i, type_j)] = value;
    values_[index(type_j, type_i)] = value;
  }
  double get(int type_i, int type_j) const { return values_[index(type_i, type_j)]; }
  int ntypes() const { return ntypes_; }
  double max_value() const
  {
    double result = 0.0;
    for (int i = 1; i <= ntypes_; ++i)
      for (int j = 1; j <= ntypes_; ++j) result = std::max(result, get(i, j));
    return result;
  }

 private:
  size_t index(int i, int j) const { return size_t(i) * size_t(ntypes_ + 1) + size_t(j); }
  void check(int type) const
  {
    if (type < 1 || type > ntypes_) throw std::out_of_range("atom type outside 1..ntypes");
  }
  int ntypes_ = 0;
  std::vector<double> values_;
};

}    // namespace glassdyn
