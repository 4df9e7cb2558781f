/* glassdyn: internal per-atom store of glassdyn styles.

   Holds, per atom, the values its owner needs across steps (e.g. unwrapped positions at a
   window start and the per-atom results of the last window, or fix dms's running sums). The
   values migrate with atoms between ranks and are written to and read from restart files,
   together with a few global values the owner asks to keep. It knows nothing of windows:
   the window schedule is fix GLASSDYN/SCHEDULE, run by the windowed computes.
   Created by glassdyn styles; not meant to be used directly in input scripts.
*/

#ifdef FIX_CLASS
// clang-format off
FixStyle(GLASSDYN/WINDOW,FixWindowStore);
// clang-format on
#else

#ifndef GLASSDYN_FIX_WINDOW_STORE_H
#define GLASSDYN_FIX_WINDOW_STORE_H

#include "fix.h"
#include "window_clock.h"

#include <vector>

namespace LAMMPS_NS {

class FixWindowStore : public Fix {
 public:
  FixWindowStore(class LAMMPS *, int, char **);
  ~FixWindowStore() override;
  int setmask() override;
  void init() override;

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

  void attach(StoreOwner *store_owner) { owner = store_owner; }
  double **values() const { return per_atom; }
  int columns() const { return ncolumns; }
  // True if this store's values came from a restart file (not from zero at its creation).
  bool restored() const { return restored_flag != 0; }
  // The owner's global values read from a restart file (empty if none).
  const std::vector<double> &restored_state() const { return owner_state; }

 private:
  int ncolumns;
  int nmax_store;    // rows allocated in per_atom
  double **per_atom;
  StoreOwner *owner;
  std::vector<double> owner_state;
  int restored_flag;
};

}    // namespace LAMMPS_NS

#endif
#endif
