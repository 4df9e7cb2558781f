// The MPI side of glassdyn::GlobalSum, for selections that span all ranks.
#pragma once

#include "top_selection.hpp"

#include "lammps_compat.h"    // GLASSDYN_MPI_INT64; includes mpi.h

namespace LAMMPS_NS {

class MpiGlobalSum final : public glassdyn::GlobalSum {
 public:
  explicit MpiGlobalSum(MPI_Comm world) : world_(world) {}
  void sum(std::vector<int64_t> &tallies) const override
  {
    MPI_Allreduce(MPI_IN_PLACE, tallies.data(), int(tallies.size()), GLASSDYN_MPI_INT64, MPI_SUM, world_);
  }

 private:
  MPI_Comm world_;
};

}    // namespace LAMMPS_NS
