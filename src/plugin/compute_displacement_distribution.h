/* glassdyn: compute displacement/distribution

   p(u) per atom type over the last finished window of a compute stringlike/atom, from the
   displacements that compute already has (no second pass over positions).
   See docs/compute_displacement_distribution.md.
*/

#ifdef COMPUTE_CLASS
// clang-format off
ComputeStyle(displacement/distribution,ComputeDisplacementDistribution);
// clang-format on
#else

#ifndef GLASSDYN_COMPUTE_DISPLACEMENT_DISTRIBUTION_H
#define GLASSDYN_COMPUTE_DISPLACEMENT_DISTRIBUTION_H

#include "compute.h"

#include "displacement_histogram.hpp"

#include <string>

namespace LAMMPS_NS {

class ComputeDisplacementDistribution : public Compute {
 public:
  ComputeDisplacementDistribution(class LAMMPS *, int, char **);
  ~ComputeDisplacementDistribution() override;
  void init() override;
  void compute_vector() override;
  void compute_array() override;
  double memory_usage() override;

 private:
  // Not named refresh(): that is a virtual of Compute (dump_modify refresh), not meant here.
  void update_histogram();
  int sets() const;    // all atoms, then one set per atom type

  std::string source_id;
  class ComputeStringLikeAtom *source;
  glassdyn::HistogramSpec spec;
  bigint histogram_of_window;    // start step of the window after the histogrammed one
  double *summary;
  double **table;
};

}    // namespace LAMMPS_NS

#endif
#endif
