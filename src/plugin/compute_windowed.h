/* glassdyn: common base of the per-window analysis computes.

   Owns what stringlike/atom and cage/atom share: the internal per-atom store
   (fix GLASSDYN/WINDOW, a plain container), the window schedule (fix GLASSDYN/SCHEDULE,
   the per-step hook a compute lacks), the `window N` / `sync FIX-ID` keywords and the clock
   they select, the schedule's and the global results' place in restart files, the shared
   window-start neighbour searches, and the checks every window analysis needs. Derived
   computes say what one window evaluation does (finish_window / begin_window /
   initialise_atom).

   Staggered windows (`origins K` with `window N`): the store keeps K copies of the leading
   `reference_columns` of a row (one window's reference), copy 0 in place and copies 1..K-1
   after the derived compute's columns. Before a derived call for origin k this class swaps
   copy k into place and swaps it back afterwards, so a derived compute always sees one
   window, exactly as with a single one.
*/

#ifndef GLASSDYN_COMPUTE_WINDOWED_H
#define GLASSDYN_COMPUTE_WINDOWED_H

#include "compute.h"
#include "error.h"
#include "window_clock.h"

#include "pair_table.hpp"

#include "neighbour_snapshot.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class FixWindowStore;
class FixWindowSchedule;

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

  // What another compute may know of this one's windows. Both stop with an error if the
  // store was deleted or replaced.
  // True once a window has been evaluated (now or before a restart).
  bool has_window_results();
  // Start step of the open window: it changes exactly when a window is evaluated.
  bigint open_window_start();
  void store_deleted() override;
  void schedule_deleted() override;
  std::vector<double> restart_state() const override;
  void atom_created(int i) override;
  void finish_origin_window(int origin, bigint window_start, bigint window_end) override;
  void begin_origin_window(int origin) override;
  // Staggered windows per window length (1: consecutive windows).
  int origins() const { return norigins; }
  // The window-start neighbour searches this compute shares with the other glassdyn computes
  // of its LAMMPS instance (null until it first asks for neighbours).
  std::shared_ptr<NeighbourSnapshots> neighbour_snapshots() const { return snapshots; }

 protected:
  // Consumes `window N`, `origins K` or `sync FIX-ID` at arg[iarg]; returns the words used, 0 if none.
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
  // with `ncolumns` per-atom values and restores saved global results after a restart. The
  // first `reference_columns` of them are one window's reference (0: this compute cannot run
  // staggered windows); with `origins K` the store holds K - 1 more copies of them.
  void create_store(int ncolumns, int reference_columns = 0);
  void check_store_alive();
  void check_schedule_alive();
  // Windows follow the clock of the windowed compute `compute_id` instead of `window`/`sync`:
  // call before create_store(). That compute must be defined before this one, so that its
  // store evaluates its window ends first.
  void follow_clock_of(const std::string &compute_id);
  // Keeps the global vector and array of the window just evaluated in the restart file.
  void save_global_results();
  // The neighbours of this compute's group within `cutoff` now, searched once per step for all
  // computes asking with the same group and cutoffs (see neighbour_snapshot.h).
  std::shared_ptr<const NeighbourSnapshot> neighbours_at_window_start(const glassdyn::PairTable &cutoff);
  // Set by a derived compute that calls neighbours_at_window_start(): it then joins the shared
  // searches at init(), before any window starts, so that the first window is shared too.
  bool uses_neighbour_snapshots = false;

  // Checks a core option struct once (its validate() names the keyword and the allowed
  // values) and stops with that message prefixed by the style.
  template <typename Options> void validate_options(const Options &options)
  {
    try {
      options.validate();
    } catch (std::invalid_argument &e) {
      error->all(FLERR, "{} {}", style_label, e.what());
    }
  }

  std::string style_name;     // "stringlike/atom"
  std::string style_label;    // "Compute stringlike/atom", for messages
  FixWindowStore *store;
  double *global_values;
  double **global_table;
  // Global vector and array of the last evaluated window (empty before the first), kept in
  // restart files with the schedule's state. A derived compute may append state of its own
  // after save_global_results() (e.g. the box at the window start) and read it back after
  // create_store().
  std::vector<double> saved_results;

 private:
  void attach_store();
  void restore_global_results();
  void join_neighbour_snapshots();
  // Exchanges reference copy 0 and copy `origin` of every local row (no-op for origin 0).
  void swap_reference(int origin);

  FixWindowSchedule *schedule;
  std::string schedule_id;

  int first_output_column;
  int stored_output_columns;
  double **output_atom;
  int nmax_output;

  bigint window_length;
  int norigins;
  int reference_width;    // columns per reference copy (staggered windows)
  int own_columns;        // the derived compute's columns; reference copies 1..K-1 follow
  std::string sync_fix_id;
  std::string clock_compute_id;    // follow_clock_of()
  std::string store_id;
  std::shared_ptr<NeighbourSnapshots> snapshots;
  std::unique_ptr<RegularWindowClock> own_clock;
  const WindowClock *clock;
};

}    // namespace LAMMPS_NS

#endif
