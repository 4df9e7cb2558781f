/* glassdyn: internal window schedule of a windowed compute.

   A compute has no per-step hook, so each windowed compute (stringlike/atom, cage/atom, ...)
   creates this fix to run its window schedule: at setup and at each step it checks the clock
   (`window N` or `sync FIX-ID`), and at a window end asks the compute to evaluate the
   finished window and to record the next reference, before any output at that step. The
   schedule's state travels in restart files through the compute (WindowedCompute keeps it in
   its per-atom store's global record). Created by glassdyn computes; not for input scripts.

   With `origins K` (K > 1) it runs K staggered windows of one length N: a window starts every
   S = N/K steps, in origin slots 0, 1, ..., K-1, 0, ...; the window of a slot ends exactly when
   that slot starts its next one, so each stagger step finishes one window and begins one.
*/

#ifdef FIX_CLASS
// clang-format off
FixStyle(GLASSDYN/SCHEDULE,FixWindowSchedule);
// clang-format on
#else

#ifndef GLASSDYN_FIX_WINDOW_SCHEDULE_H
#define GLASSDYN_FIX_WINDOW_SCHEDULE_H

#include "fix.h"
#include "window_clock.h"

#include <string>
#include <vector>

namespace LAMMPS_NS {

class FixWindowSchedule : public Fix {
 public:
  FixWindowSchedule(class LAMMPS *, int, char **);
  ~FixWindowSchedule() override;
  int setmask() override;
  void init() override;
  void setup(int) override;
  void end_of_step() override;

  // The compute whose windows this fix runs, and the clock that decides them (looked up again
  // by the compute at each init: a sync fix may be re-defined between runs).
  void attach(WindowListener *listener, const WindowClock *clock);
  // The state kept in restart files: a window is open, and since which step.
  void restore(bool open, bigint start_step);
  bool window_open() const { return open; }
  // The start of the window begun last (with K > 1, the youngest of the open windows).
  bigint window_start() const { return start_step; }

  // Staggered windows: K origins, a new window every `stride` steps (window length K x stride).
  // Called by the owning compute before attach() and restore_staggered(); K = 1 is the plain schedule.
  void set_origins(int origins, bigint stride);
  int origins() const { return norigins; }
  // The staggered state kept in restart files: {stride, next start step, next slot, then per
  // slot: open (0/1), start step}.
  std::vector<double> staggered_state() const;
  // Restores it; false (and nothing restored) if it was written with another K or stride.
  bool restore_staggered(const std::vector<double> &state);

 private:
  void start_window(bigint step);
  void discard_window(const std::string &reason);
  void staggered_setup();
  void staggered_end_of_step();
  // Finishes the window of the next slot (if open: it began K x stride steps ago) and begins
  // that slot's next window at `step`.
  void stagger_step(bigint step);
  void discard_staggered(const std::string &reason);
  bool any_slot_open() const;

  int norigins;
  bigint stride;
  bigint next_start;    // step of the next stagger step while windows are open
  int next_slot;
  std::vector<char> slot_open;
  std::vector<bigint> slot_start;

  WindowListener *listener;
  const WindowClock *clock;
  bool open;
  bigint start_step, end_step;
  bigint last_step;    // last step set up or integrated (-1: none yet); a change between runs is a jump
};

}    // namespace LAMMPS_NS

#endif
#endif
