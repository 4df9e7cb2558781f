/* glassdyn: compute cage/atom

   Cage breaking per analysis window: the neighbours each atom has at the window start, and
   how many of them it has lost by the window end. See docs/compute_cage_atom.md.
*/

#ifdef COMPUTE_CLASS
// clang-format off
ComputeStyle(cage/atom,ComputeCageAtom);
// clang-format on
#else

#ifndef GLASSDYN_COMPUTE_CAGE_ATOM_H
#define GLASSDYN_COMPUTE_CAGE_ATOM_H

#include "compute_windowed.h"

#include "pair_table.hpp"

namespace LAMMPS_NS {

class ComputeCageAtom : public WindowedCompute {
 public:
  ComputeCageAtom(class LAMMPS *, int, char **);
  void setup() override;

  void finish_window(bigint window_start, bigint window_end) override;
  void begin_window() override;
  void initialise_atom(int i) override;
  void derive_columns(double *row) const override;

  enum GlobalValue { FRACTION_BROKEN, MEAN_LOST, MEAN_CAGE, NGLOBAL };
  enum TypeColumn { TYPE, TYPE_ATOMS, TYPE_FRACTION_BROKEN, TYPE_MEAN_LOST, TYPE_MEAN_CAGE, NTYPECOLUMNS };

 private:
  void parse_arguments(int narg, char **arg);
  double smallest_periodic_width() const;
  // Store layout: cage size at t0, the neighbour IDs, then the outputs of the last window.
  int id_column(int k) const { return 1 + k; }
  int output_column(int k) const { return 1 + maxcage + k; }

  glassdyn::PairTable cutoff;
  double hysteresis;
  int nlost;
  int maxcage;

};

}    // namespace LAMMPS_NS

#endif
#endif
