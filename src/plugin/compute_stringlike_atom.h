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

#include "pair_table.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class ComputeStringLikeAtom : public WindowedCompute {
 public:
  ComputeStringLikeAtom(class LAMMPS *, int, char **);
  ~ComputeStringLikeAtom() override;
  int pack_forward_comm(int, int *, double *, int, int *) override;
  void unpack_forward_comm(int, int, double *) override;
  double memory_usage() override;

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

 private:
  void parse_arguments(int narg, char **arg);
  void evaluate_window();
  void compute_displacements();
  void select_mobile();
  void check_ghost_reach(double u_max_mobile);
  struct LocalStrings;
  void label_strings();
  LocalStrings find_local_strings();
  void propagate_labels(LocalStrings &local);
  std::map<tagint, int64_t> gather_string_sizes(LocalStrings &local);
  void store_window_results(LocalStrings &local, const std::map<tagint, int64_t> &size_of_label);
  void grow_work_arrays();

  glassdyn::PairTable delta;
  bool select_by_fraction;
  double fraction, u_low, u_high;
  bool remove_drift;
  bigint long_threshold, maxsize;

  // Work arrays over local + ghost atoms, filled at a window end only.
  int nmax;
  double **displacement;    // r(t) - r(t0) - drift
  double *mobile;           // 1.0 for mobile atoms of the group
  double *label;            // string label being propagated (smallest atom ID)
  int comm_mode;

};

}    // namespace LAMMPS_NS

#endif
#endif
