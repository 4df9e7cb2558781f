/* glassdyn: fix dynamics/correlate

   Time correlations of single-atom displacements with staggered origins (MSD, alpha2, F_s(q,t),
   overlap, chi4 per atom type, and tau_alpha, D, t*), accumulated on the fly. The fix owns
   its per-atom reference positions (K origins x 3 unwrapped coordinates + the atom's birth step):
   they migrate with the atoms and go to restart files. See docs/fix_dynamics_correlate.md.
*/

#ifdef FIX_CLASS
// clang-format off
FixStyle(dynamics/correlate,FixDynamicsCorrelate);
// clang-format on
#else

#ifndef GLASSDYN_FIX_DYNAMICS_CORRELATE_H
#define GLASSDYN_FIX_DYNAMICS_CORRELATE_H

#include "fix.h"

#include "time_correlations.hpp"

#include <memory>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class FixDynamicsCorrelate : public Fix {
 public:
  FixDynamicsCorrelate(class LAMMPS *, int, char **);
  ~FixDynamicsCorrelate() override;
  int setmask() override;
  void init() override;
  void setup(int) override;
  void end_of_step() override;
  double compute_vector(int) override;
  double compute_array(int, int) override;

  void grow_arrays(int) override;
  void copy_arrays(int, int, int) override;
  void set_arrays(int) override;
  int pack_exchange(int, double *) override;
  int unpack_exchange(int, double *) override;
  int pack_restart(int, double *) override;
  void unpack_restart(int, int) override;
  int size_restart(int) override;
  int maxsize_restart() override;
  void write_restart(FILE *) override;
  void restart(char *) override;
  double memory_usage() override;

 private:
  // Per-atom columns: BIRTH (the atom's references are valid for origins starting after this
  // step), then x, y, z of origin slot k at 1 + 3k.
  enum { BIRTH = 0, FIRST_ORIGIN = 1 };
  struct Origin {
    bigint start = -1;    // step of the origin; -1: the slot is free
    int next_lag = 0;     // index of its next lag
  };

  void process(bigint now);
  void start_origin(bigint now);
  void evaluate(const Origin &origin, int lag_index, const std::vector<double> &current);
  void discard_origin(Origin &origin, const std::string &reason);
  void schedule();
  void refresh_outputs();

  glassdyn::CorrelationOptions options;
  std::unique_ptr<glassdyn::TimeCorrelations> correlations;
  int ntypes;
  int ncolumns;       // 1 + 3 K
  int nmax_store;     // rows allocated in per_atom
  double **per_atom;
  std::vector<Origin> slots;
  bigint last_done;     // last step processed (-1: none)
  bigint next_event;    // next step at which an origin starts or reaches a lag
  std::vector<double> table, summary;
  int table_width;
};

}    // namespace LAMMPS_NS

#endif
#endif
