// Exact, partition-independent selection of the k largest values.
#pragma once

#include <cstdint>
#include <vector>

namespace glassdyn {

// Sums integer tallies over every process that takes part in a selection.
// The LAMMPS plugin implements it with MPI_Allreduce; offline analysis runs in one
// process and needs no reduction (LocalSum).
class GlobalSum {
 public:
  virtual ~GlobalSum() = default;
  virtual void sum(std::vector<int64_t> &tallies) const = 0;
};

class LocalSum final : public GlobalSum {
 public:
  void sum(std::vector<int64_t> &) const override {}
};

// Marks the `count` entries with the largest value among all processes' entries.
// Equal values are ranked by ascending id, so the selected set is the same whatever
// way the entries are split over processes. `count` is the global number wanted and
// must not exceed the global number of entries. Collective: every process calls it.
std::vector<char> select_largest(const std::vector<double> &values, const std::vector<int64_t> &ids,
                                 int64_t count, const GlobalSum &global_sum);

}    // namespace glassdyn
