#include "fix_window_schedule.h"

#include "comm.h"
#include "error.h"
#include "update.h"

using namespace LAMMPS_NS;
using namespace FixConst;

// Syntax (issued by the owning compute): fix ID group GLASSDYN/SCHEDULE

FixWindowSchedule::FixWindowSchedule(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), listener(nullptr), clock(nullptr), open(false), start_step(0), end_step(0), last_step(-1)
{
  if (narg != 3) error->all(FLERR, "Illegal fix GLASSDYN/SCHEDULE command: expected no arguments");
  nevery = 1;
}

FixWindowSchedule::~FixWindowSchedule()
{
  // The compute may outlive this fix (after `unfix` of the schedule).
  if (listener) listener->schedule_deleted();
}

int FixWindowSchedule::setmask()
{
  return END_OF_STEP;
}

void FixWindowSchedule::init()
{
  if (!listener || !clock) error->all(FLERR, "Fix {} has no owning glassdyn compute", id);
}

void FixWindowSchedule::attach(WindowListener *window_listener, const WindowClock *window_clock)
{
  listener = window_listener;
  clock = window_clock;
  // The end of the open window follows the clock (a restart may change `window N`), unless the
  // clock does not know this window (a re-defined sync fix): setup() then discards it, and its
  // warning names the end it was due at.
  if (open && clock->may_start_window(start_step)) end_step = clock->window_end(start_step);
}

void FixWindowSchedule::restore(bool window_open, bigint window_start)
{
  open = window_open;
  start_step = window_start;
  last_step = update->ntimestep;    // the step the restart file was written at
  if (open && clock && clock->may_start_window(start_step)) end_step = clock->window_end(start_step);
}

void FixWindowSchedule::start_window(bigint step)
{
  listener->begin_window();
  start_step = step;
  end_step = clock->window_end(step);
  open = true;
}

void FixWindowSchedule::discard_window(const std::string &reason)
{
  // The step named is where the next window really begins: at once with `window N`, at the
  // next cycle start of the fix named by `sync`.
  if (comm->me == 0)
    error->warning(FLERR, "Fix {}: the window that began at step {} (due to end at step {}) is discarded: {}; the "
                   "next window starts at step {}", id, start_step, end_step, reason,
                   clock->next_window_start(update->ntimestep));
  open = false;
}

void FixWindowSchedule::setup(int /*vflag*/)
{
  const bigint now = update->ntimestep;
  // A run starts at update->firststep; a rerun sets up every frame at its own step, and its
  // frames jump by design (a skipped window end is caught below).
  const bool run_start = (now == update->firststep);
  if (open) {
    if (run_start && last_step >= 0 && now != last_step) {
      // reset_timestep or minimize between runs: the window would not span the steps it claims.
      discard_window(fmt::format("the timestep changed from {} to {} between runs", last_step, now));
    } else if (!clock->may_start_window(start_step)) {
      discard_window("the fix named by 'sync' was defined again, and its cycles do not start at this window's "
                     "start");
    } else if (now < start_step) {
      discard_window(fmt::format("the step {} precedes its start", now));
    } else if (now > end_step) {
      discard_window(fmt::format("with the current window length it ended at step {}, before the current step {}",
                                 end_step, now));
    } else if (now == end_step) {
      // A window ending exactly here that no end_of_step evaluated (e.g. a restart written there).
      listener->finish_window(start_step, now);
      start_window(now);
    }
  }
  last_step = now;
  if (!open && clock->may_start_window(now)) start_window(now);
}

void FixWindowSchedule::end_of_step()
{
  const bigint now = update->ntimestep;
  last_step = now;
  if (open) {
    if (now < end_step) return;    // nothing to do between window ends
    if (now > end_step) {
      discard_window(fmt::format("no step of the run (or rerun frame) fell on its end; this is step {}", now));
    } else {
      listener->finish_window(start_step, now);
      start_window(now);
      return;
    }
  }
  if (clock->may_start_window(now)) start_window(now);
}
