/* glassdyn: internal per-atom store of analysis-window state.

   Holds, per atom, the state a window analysis needs from its start (e.g. unwrapped
   positions at t0) and the per-atom results of the last finished window. The values
   migrate with atoms between ranks and are written to and read from restart files.
   It also runs the window schedule: at each window end it asks its owner to evaluate
   the finished window and to record the next reference, before any output at that step.
   Created by glassdyn computes; not meant to be used directly in input scripts.
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

#include <string>
#include <vector>

namespace LAMMPS_NS {

class FixWindowStore : public Fix {
 public:
  FixWindowStore(class LAMMPS *, int, char **);
  ~FixWindowStore() override;
  int setmask() override;
  void setup(int) override;
  void end_of_step() override;

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

  // Owner interface. A windowed owner has the store run its schedule; a plain owner (fix dms)
  // uses it only as a migrating, restart-safe per-atom container and it opens no windows.
  void attach(WindowListener *listener, const WindowClock *clock);
  void attach(StoreOwner *plain_owner);
  double **values() const { return per_atom; }
  int columns() const { return ncolumns; }
  bigint window_start() const { return start_step; }
  // True if this store's values came from a restart file (not from zero at its creation).
  bool restored() const { return restored_flag != 0; }
  // Global results of the last finished window, kept across restarts.
  std::vector<double> saved_results;

 private:
  void start_window(bigint step);
  void discard_window(const std::string &reason);

  int ncolumns;
  int nmax_store;    // rows allocated in per_atom
  double **per_atom;
  StoreOwner *owner;
  WindowListener *listener;    // null for a plain owner
  const WindowClock *clock;    // null for a plain owner
  int reference_set;
  bigint start_step, end_step;
  bigint last_step;    // last step set up or integrated (-1: none yet); a change between runs is a jump
  int restored_flag;
};

}    // namespace LAMMPS_NS

#endif
#endif
