/* glassdyn: compute percolation/atom

   Clusters and percolation (wrapping) of the mobile and of the immobile atoms of each window
   of a compute stringlike/atom (the SOURCE: its clock and its displacements u), with bonds
   at the window start. Evaluated at each window end. See docs/compute_percolation_atom.md.
*/

#ifdef COMPUTE_CLASS
// clang-format off
ComputeStyle(percolation/atom,ComputePercolationAtom);
// clang-format on
#else

#ifndef GLASSDYN_COMPUTE_PERCOLATION_ATOM_H
#define GLASSDYN_COMPUTE_PERCOLATION_ATOM_H

#include "compute_windowed.h"

#include "percolation.hpp"
#include "periodic_box.hpp"
#include "schema/percolation.hpp"

#include <string>

namespace LAMMPS_NS {

class ComputeStringLikeAtom;

class ComputePercolationAtom : public WindowedCompute {
 public:
  ComputePercolationAtom(class LAMMPS *, int, char **);

  void init() override;
  void finish_window(bigint window_start, bigint window_end) override;
  void begin_window() override;
  void initialise_atom(int i) override;
  void derive_columns(double *) const override {}

  // Per-atom store: r(t0) unwrapped, then the results of the last window in output order.
  enum StoreColumn { REF_X, REF_Y, REF_Z, OUT_CLASS, OUT_CLUSTER_ID, OUT_SIZE, OUT_WRAPS, OUT_U, NCOLUMNS };
  enum OutputColumn {
    C_CLASS = glassdyn::schema::percolation::peratom.index("atom_class"),
    C_CLUSTER_ID = glassdyn::schema::percolation::peratom.index("cluster_id"),
    C_SIZE = glassdyn::schema::percolation::peratom.index("cluster_size"),
    C_WRAPS = glassdyn::schema::percolation::peratom.index("wraps"),
    C_U = glassdyn::schema::percolation::peratom.index("u"),
    NOUTPUTCOLUMNS = glassdyn::schema::percolation::peratom.size()
  };
  static_assert(OUT_CLUSTER_ID - OUT_CLASS == C_CLUSTER_ID && OUT_SIZE - OUT_CLASS == C_SIZE &&
                    OUT_WRAPS - OUT_CLASS == C_WRAPS && OUT_U - OUT_CLASS == C_U && C_CLASS == 0 &&
                    NOUTPUTCOLUMNS == NCOLUMNS - OUT_CLASS,
                "store results in the order of the per-atom output");

 private:
  void parse_arguments(int narg, char **arg);
  ComputeStringLikeAtom *find_source();
  void evaluate_window(bigint window_start, bigint window_end);
  void restore_saved_state();
  void save_state();

  std::string source_id;
  ComputeStringLikeAtom *source;
  glassdyn::PercolationOptions options;
  glassdyn::PeriodicBox box_t0;    // the box at the start of the open window
};

}    // namespace LAMMPS_NS

#endif
#endif
