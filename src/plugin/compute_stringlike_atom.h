/* glassdyn: compute stringlike/atom

   Per-atom string-like motion (Donati-Glotzer) over consecutive analysis windows,
   evaluated on the fly at each window end. See docs/compute_stringlike_atom.md.
*/

#ifdef COMPUTE_CLASS
// clang-format off
ComputeStyle(stringlike/atom,ComputeStringLikeAtom);
// clang-format on
#else

#ifndef GLASSDYN_COMPUTE_STRINGLIKE_ATOM_H
#define GLASSDYN_COMPUTE_STRINGLIKE_ATOM_H

#include "compute_windowed.h"

#include "string_analysis.hpp"

namespace LAMMPS_NS {

class ComputeStringLikeAtom : public WindowedCompute {
 public:
  ComputeStringLikeAtom(class LAMMPS *, int, char **);

  void finish_window(bigint window_start, bigint window_end) override;
  void begin_window() override;
  void initialise_atom(int i) override;
  void derive_columns(double *row) const override;

  // Layout of the per-atom store: reference position, then the results of the last window.
  enum StoreColumn { REF_X, REF_Y, REF_Z, OUT_MOBILE, OUT_STRING_ID, OUT_SIZE, OUT_U, NCOLUMNS };
  // Per-atom output: the four stored results, then two flags derived from them.
  enum OutputColumn { C_MOBILE, C_STRING_ID, C_SIZE, C_U, C_IN_STRING, C_IN_LONG_STRING, NOUTPUTCOLUMNS };
  enum GlobalValue {
    N_FAST, N_STRING, N_LONG, N_STRINGS, MEAN_SIZE_NUMBER, MEAN_SIZE_WEIGHT, STRING_FRACTION, LONG_FRACTION,
    NGLOBAL
  };

  // Displacement u of local atom i over the last finished window (0 outside the group).
  double window_displacement(int i) const;

 private:
  void parse_arguments(int narg, char **arg);
  void evaluate_window();

  glassdyn::StringOptions options;
};

}    // namespace LAMMPS_NS

#endif
#endif
