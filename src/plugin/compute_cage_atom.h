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

#include "cage.hpp"
#include "pair_table.hpp"
#include "schema/cages.hpp"

namespace LAMMPS_NS {

class ComputeCageAtom : public WindowedCompute {
 public:
  ComputeCageAtom(class LAMMPS *, int, char **);
  void init() override;
  void setup() override;

  void finish_window(bigint window_start, bigint window_end) override;
  void begin_window() override;
  void initialise_atom(int i) override;
  void derive_columns(double *row) const override;
  double memory_usage() override;

  // Output indices, looked up by name in the one declaration of the layouts
  // (src/core/schema/cages.hpp).
  enum GlobalValue {
    FRACTION_BROKEN = glassdyn::schema::cages::vector.index("fraction_broken"),
    MEAN_LOST = glassdyn::schema::cages::vector.index("mean_lost"),
    MEAN_CAGE = glassdyn::schema::cages::vector.index("mean_cage"),
    NGLOBAL = glassdyn::schema::cages::vector.size()
  };
  enum TypeColumn {
    TYPE = glassdyn::schema::cages::array.index("type"),
    TYPE_ATOMS = glassdyn::schema::cages::array.index("n_analysed"),
    TYPE_FRACTION_BROKEN = glassdyn::schema::cages::array.index("fraction_broken"),
    TYPE_MEAN_LOST = glassdyn::schema::cages::array.index("mean_lost"),
    TYPE_MEAN_CAGE = glassdyn::schema::cages::array.index("mean_cage"),
    NTYPECOLUMNS = glassdyn::schema::cages::array.size()
  };

 private:
  void parse_arguments(int narg, char **arg);
  double smallest_periodic_width() const;
  // Largest distance (from an owned atom) at which every atom is guaranteed to be present
  // as a local or ghost atom: the communication cutoff minus the neighbor skin.
  double guaranteed_ghost_reach() const;
  // False for a ghost atom too far from this rank's subdomain to matter to any cage.
  bool may_neighbour_owned(const double *x) const;
  // The `comm_modify cutoff` value to suggest when `reach` must be guaranteed: reach plus the
  // skin with 5 % to spare, rounded up to 3 significant digits (sensible in any units).
  double suggested_comm_cutoff(double reach) const;
  // Store layout: cage size at t0, the neighbour IDs, then the outputs of the last window.
  int id_column(int k) const { return 1 + k; }
  int output_column(int k) const { return 1 + maxcage + k; }

  glassdyn::CageOptions options;
  int maxcage;    // store columns per atom for cage members: a plugin-only limit
  // Window-end buffers, kept between windows so that an evaluation allocates nothing.
  glassdyn::CageEndAtoms end_atoms;
  glassdyn::CageLossEvaluator losses;
  std::vector<glassdyn::CageOutcome> outcomes;

};

}    // namespace LAMMPS_NS

#endif
#endif
