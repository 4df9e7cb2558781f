// glassdyn::Communicator over an MPI communicator (the LAMMPS world), for the core pipelines.
#pragma once

#include "communicator.hpp"

#include <mpi.h>

// The serial STUBS mpi.h has no MPI_INT64_T: lammps_compat.h names the 64-bit integer type of
// every LAMMPS build (GLASSDYN_MPI_INT64).
#include "lammps_compat.h"

#include <climits>
#include <stdexcept>
#include <vector>

namespace LAMMPS_NS {

class MpiCommunicator final : public glassdyn::Communicator {
 public:
  explicit MpiCommunicator(MPI_Comm world) : world_(world)
  {
    MPI_Comm_rank(world_, &rank_);
    MPI_Comm_size(world_, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(double *values, size_t n) const override { reduce(values, n, MPI_DOUBLE, MPI_SUM); }
  void sum(int64_t *values, size_t n) const override { reduce(values, n, GLASSDYN_MPI_INT64, MPI_SUM); }
  void max(double *values, size_t n) const override { reduce(values, n, MPI_DOUBLE, MPI_MAX); }
  void max(int64_t *values, size_t n) const override { reduce(values, n, GLASSDYN_MPI_INT64, MPI_MAX); }

  std::vector<char> allgatherv(const std::vector<char> &mine, std::vector<size_t> &offsets) const override
  {
    // MPI counts are ints: more than 2 GB of gathered bytes is refused, not truncated.
    if (mine.size() > size_t(INT_MAX)) throw std::length_error("allgatherv: more than 2^31 bytes from one rank");
    int nsend = int(mine.size());
    std::vector<int> counts(static_cast<size_t>(size_), 0), displs(static_cast<size_t>(size_), 0);
    MPI_Allgather(&nsend, 1, MPI_INT, counts.data(), 1, MPI_INT, world_);
    offsets.assign(size_t(size_) + 1, 0);
    for (int r = 0; r < size_; r++) offsets[size_t(r) + 1] = offsets[size_t(r)] + size_t(counts[size_t(r)]);
    if (offsets.back() > size_t(INT_MAX)) throw std::length_error("allgatherv: more than 2^31 gathered bytes");
    for (int r = 0; r < size_; r++) displs[size_t(r)] = int(offsets[size_t(r)]);
    std::vector<char> all(offsets.back());
    MPI_Allgatherv(const_cast<char *>(mine.data()), nsend, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, world_);
    return all;
  }

 private:
  void reduce(void *values, size_t n, MPI_Datatype type, MPI_Op op) const
  {
    if (n == 0) return;
    MPI_Allreduce(MPI_IN_PLACE, values, int(n), type, op, world_);
  }
  MPI_Comm world_;
  int rank_ = 0, size_ = 1;
};

}    // namespace LAMMPS_NS
