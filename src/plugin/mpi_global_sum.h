// The MPI side of glassdyn::GlobalSum, for selections that span all ranks.
#pragma once

#include "top_selection.hpp"

#include <mpi.h>

namespace LAMMPS_NS {

class MpiGlobalSum final : public glassdyn::GlobalSum {
 public:
  explicit MpiGlobalSum(MPI_Comm world) : world_(world) {}
  void sum(std::vector<int64_t> &tallies) const override
  {
    MPI_Allreduce(MPI_IN_PLACE, tallies.data(), int(tallies.size()), MPI_INT64_T, MPI_SUM, world_);
  }

 private:
  MPI_Comm world_;
};

}    // namespace LAMMPS_NS
