// The collective operations a window analysis needs, without naming MPI.
//
// Every pipeline function in src/core takes a Communicator: the LAMMPS plugin passes one over
// the LAMMPS world communicator (src/plugin/mpi_communicator.h), the offline analysis passes
// SerialCommunicator. Every call is collective: all ranks call it, in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace glassdyn {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Element-wise reductions over all ranks, in place.
  virtual void sum(double *values, size_t n) const = 0;
  virtual void sum(int64_t *values, size_t n) const = 0;
  virtual void max(double *values, size_t n) const = 0;
  virtual void max(int64_t *values, size_t n) const = 0;
  // Every rank's bytes concatenated in rank order, on every rank. `offsets` (size() + 1
  // entries) tells where each rank's part begins, so a rank finds its own records again.
  virtual std::vector<char> allgatherv(const std::vector<char> &mine, std::vector<size_t> &offsets) const = 0;

  void sum(std::vector<double> &values) const { sum(values.data(), values.size()); }
  void sum(std::vector<int64_t> &values) const { sum(values.data(), values.size()); }
};

// One process: reductions change nothing and a gather returns the input.
class SerialCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(double *, size_t) const override {}
  void sum(int64_t *, size_t) const override {}
  void max(double *, size_t) const override {}
  void max(int64_t *, size_t) const override {}
  std::vector<char> allgatherv(const std::vector<char> &mine, std::vector<size_t> &offsets) const override
  {
    offsets = {0, mine.size()};
    return mine;
  }
};

// Gathers trivially copyable records from every rank (rank order). `first_own` receives the
// index of this rank's first record in the result.
template <typename Record>
std::vector<Record> allgather_records(const Communicator &comm, const std::vector<Record> &mine, size_t &first_own)
{
  static_assert(std::is_trivially_copyable<Record>::value, "records travel as bytes");
  std::vector<char> bytes(mine.size() * sizeof(Record));
  if (!mine.empty()) std::memcpy(bytes.data(), mine.data(), bytes.size());
  std::vector<size_t> offsets;
  const std::vector<char> all = comm.allgatherv(bytes, offsets);
  if (all.size() % sizeof(Record) != 0) throw std::logic_error("allgather_records: torn record");
  std::vector<Record> records(all.size() / sizeof(Record));
  if (!all.empty()) std::memcpy(records.data(), all.data(), all.size());
  first_own = offsets[size_t(comm.rank())] / sizeof(Record);
  return records;
}

}    // namespace glassdyn
