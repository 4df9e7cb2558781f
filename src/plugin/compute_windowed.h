/* glassdyn: common base of the per-window analysis computes.

   Owns what stringlike/atom and cage/atom share: the internal per-atom window store
   (fix GLASSDYN/WINDOW), the `window N` / `sync FIX-ID` keywords and the clock they
   select, and the checks every window analysis needs. Derived computes say what one
   window evaluation does (finish_window / begin_window / initialise_atom).
*/

#ifndef GLASSDYN_COMPUTE_WINDOWED_H
#define GLASSDYN_COMPUTE_WINDOWED_H

#include "compute.h"
#include "window_clock.h"

#include "pair_table.hpp"

#include <memory>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class FixWindowStore;

class WindowedCompute : public Compute, public WindowListener {
 public:
  WindowedCompute(class LAMMPS *, int, char **);
  ~WindowedCompute() override;
  void init() override;
  // Outputs describe the last finished window: they are filled at window ends, so a request
  // copies per-atom values out of the store and costs nothing for global ones.
  void compute_vector() override;
  void compute_array() override;
  void compute_peratom() override;
  double memory_usage() override;

  // Window-end results another compute can read (the store and the step the window began).
  // Stops with an error if the store was deleted or replaced.
  FixWindowStore *window_store();
  void store_deleted() override;

 protected:
  // Consumes `window N` or `sync FIX-ID` at arg[iarg]; returns the words used, 0 if neither.
  int parse_window_keyword(int narg, char **arg, int iarg);
  // Reads `KEYWORD I J D` (a per-type-pair distance) at arg[iarg] into `table`; returns 4.
  int parse_pair_distance(int narg, char **arg, int iarg, glassdyn::PairTable &table);
  // Declares the outputs: a global vector, a global array and a per-atom array. The per-atom
  // array has as many columns as the global array (see create_outputs()): its first
  // `stored_columns` are store columns first_output_column ..., the others are derived from
  // those by derive_columns().
  void create_outputs(int nvector, int array_rows, int array_cols, int stored_columns, int first_output_column);
  // Fills per-atom output columns stored_columns ... size_peratom_cols - 1 of one atom from
  // its stored columns (row[0 .. stored_columns - 1], already copied).
  virtual void derive_columns(double *row) const = 0;
  // After all keywords and create_outputs(): checks the window keywords, creates the store
  // with `ncolumns` per-atom values and restores saved global results after a restart.
  void create_store(int ncolumns);
  void check_store_alive();
  // Largest distance (from an owned atom) at which every atom is guaranteed to be present
  // as a local or ghost atom: the communication cutoff minus the neighbor skin.
  double guaranteed_ghost_reach() const;
  // The `comm_modify cutoff` value to suggest when `reach` must be guaranteed: reach plus the
  // skin with 5 % to spare, rounded up to 3 significant digits (sensible in any units).
  double suggested_comm_cutoff(double reach) const;
  // Keeps the global vector and array of the window just evaluated in the restart file.
  void save_global_results();

  std::string style_label;    // "Compute stringlike/atom", for messages
  FixWindowStore *store;
  double *global_values;
  double **global_table;

 private:
  void attach_store();
  void restore_global_results();

  int first_output_column;
  int stored_output_columns;
  double **output_atom;
  int nmax_output;

  bigint window_length;
  std::string sync_fix_id;
  std::string store_id;
  std::unique_ptr<RegularWindowClock> own_clock;
  const WindowClock *clock;
};

}    // namespace LAMMPS_NS

#endif
