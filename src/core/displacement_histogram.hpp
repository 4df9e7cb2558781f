// p(u): normalised histograms of window displacements per atom type, linear and log10.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace glassdyn {

struct HistogramSpec {
  int bins = 200;
  double u_max = 4.0;        // linear histogram covers [0, u_max)
  double log_min = -3.0;     // log10 histogram covers [log_min, log10(u_max))
  double beyond = 2.0;       // report the fraction of atoms with u > beyond

  static constexpr int MAX_BINS = 100000;
  // Throws std::invalid_argument whose message starts with the keyword ("bins", "umax",
  // "logmin", "beyond") and states the allowed values.
  void validate() const;
};

// Per set (0 = all atoms, t = atoms of type t) after summing tallies over processes.
struct DistributionSet {
  double count = 0.0;
  std::vector<double> density;        // p(u), integrates to 1 - fraction_over over [0, u_max)
  std::vector<double> log_density;    // p(log10 u) per unit of log10 u
  double mean = 0.0, most_probable = 0.0, fraction_beyond = 0.0, fraction_over = 0.0;
};

// Accumulates tallies (counts, sums) that can be summed over processes as one flat vector,
// then turns them into densities. Tallies are whole numbers or sums of u, so summing them in
// any order gives the same densities up to the rounding of sum(u).
class DisplacementHistogram {
 public:
  DisplacementHistogram(const HistogramSpec &spec, int ntypes);
  void add(double u, int type);
  std::vector<double> &tallies() { return tallies_; }
  std::vector<DistributionSet> distributions() const;
  double bin_centre(int b) const;
  double log_bin_centre(int b) const;
  int ntypes() const { return ntypes_; }

 private:
  enum Slot { COUNT, SUM_U, BEYOND, OVER, FIRST_BIN };
  size_t offset(int set) const { return size_t(set) * stride_; }
  HistogramSpec spec_;
  int ntypes_;
  size_t stride_;
  std::vector<double> tallies_;
};

}    // namespace glassdyn
