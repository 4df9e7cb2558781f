/* glassdyn: internal window schedule of a windowed compute.

   A compute has no per-step hook, so each windowed compute (stringlike/atom, cage/atom, ...)
   creates this fix to run its window schedule: at setup and at each step it checks the clock
   (`window N` or `sync FIX-ID`), and at a window end asks the compute to evaluate the
   finished window and to record the next reference, before any output at that step. The
   schedule's state travels in restart files through the compute (WindowedCompute keeps it in
   its per-atom store's global record). Created by glassdyn computes; not for input scripts.
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
  bigint window_start() const { return start_step; }

 private:
  void start_window(bigint step);
  void discard_window(const std::string &reason);

  WindowListener *listener;
  const WindowClock *clock;
  bool open;
  bigint start_step, end_step;
  bigint last_step;    // last step set up or integrated (-1: none yet); a change between runs is a jump
};

}    // namespace LAMMPS_NS

#endif
#endif
