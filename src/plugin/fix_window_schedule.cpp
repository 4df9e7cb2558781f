#include "fix_window_schedule.h"

#include "comm.h"
#include "error.h"
#include "update.h"

#include <algorithm>

using namespace LAMMPS_NS;
using namespace FixConst;

// Syntax (issued by the owning compute): fix ID group GLASSDYN/SCHEDULE

FixWindowSchedule::FixWindowSchedule(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), listener(nullptr), clock(nullptr), open(false), start_step(0), end_step(0), last_step(-1),
    norigins(1), stride(0), next_start(0), next_slot(0)
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
  if (norigins > 1) {
    staggered_setup();
    return;
  }
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
  if (norigins > 1) {
    staggered_end_of_step();
    return;
  }
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

// ---- staggered windows (origins K > 1, own regular clock only) ----

void FixWindowSchedule::set_origins(int origins, bigint window_stride)
{
  norigins = origins;
  stride = window_stride;
  slot_open.assign(size_t(origins), 0);
  slot_start.assign(size_t(origins), 0);
  next_slot = 0;
  next_start = 0;
}

bool FixWindowSchedule::any_slot_open() const
{
  for (char o : slot_open)
    if (o) return true;
  return false;
}

std::vector<double> FixWindowSchedule::staggered_state() const
{
  std::vector<double> state = {double(stride), double(next_start), double(next_slot)};
  for (int k = 0; k < norigins; k++) {
    state.push_back(slot_open[size_t(k)] ? 1.0 : 0.0);
    state.push_back(double(slot_start[size_t(k)]));
  }
  return state;
}

bool FixWindowSchedule::restore_staggered(const std::vector<double> &state)
{
  if (state.size() != 3 + 2 * size_t(norigins) || static_cast<bigint>(state[0]) != stride) return false;
  next_start = static_cast<bigint>(state[1]);
  next_slot = static_cast<int>(state[2]);
  for (int k = 0; k < norigins; k++) {
    slot_open[size_t(k)] = state[3 + 2 * size_t(k)] != 0.0;
    slot_start[size_t(k)] = static_cast<bigint>(state[4 + 2 * size_t(k)]);
  }
  open = any_slot_open();
  start_step = next_start - stride;
  last_step = update->ntimestep;
  return true;
}

void FixWindowSchedule::discard_staggered(const std::string &reason)
{
  bigint oldest = next_start;
  int nopen = 0;
  for (int k = 0; k < norigins; k++)
    if (slot_open[size_t(k)]) {
      oldest = std::min(oldest, slot_start[size_t(k)]);
      nopen++;
    }
  if (comm->me == 0)
    error->warning(FLERR, "Fix {}: the {} open staggered windows (the oldest began at step {}) are discarded: {}; "
                   "windows start again at step {}", id, nopen, oldest, reason, update->ntimestep);
  std::fill(slot_open.begin(), slot_open.end(), 0);
  open = false;
}

void FixWindowSchedule::stagger_step(bigint step)
{
  if (!any_slot_open()) next_slot = 0;    // a fresh start: slot 0 first, as with one origin
  const int slot = next_slot;
  if (slot_open[size_t(slot)]) listener->finish_origin_window(slot, slot_start[size_t(slot)], step);
  listener->begin_origin_window(slot);
  slot_open[size_t(slot)] = 1;
  slot_start[size_t(slot)] = step;
  start_step = step;
  open = true;
  next_slot = (slot + 1) % norigins;
  next_start = step + stride;
}

void FixWindowSchedule::staggered_setup()
{
  const bigint now = update->ntimestep;
  const bool run_start = (now == update->firststep);
  if (any_slot_open()) {
    if (run_start && last_step >= 0 && now != last_step)
      discard_staggered(fmt::format("the timestep changed from {} to {} between runs", last_step, now));
    else if (now < next_start - stride)
      discard_staggered(fmt::format("the step {} precedes the start of the youngest window", now));
    else if (now > next_start)
      discard_staggered(fmt::format("no step fell on the window start due at step {}", next_start));
  }
  last_step = now;
  if (!any_slot_open() || now == next_start) stagger_step(now);
}

void FixWindowSchedule::staggered_end_of_step()
{
  const bigint now = update->ntimestep;
  last_step = now;
  if (any_slot_open()) {
    if (now < next_start) return;    // nothing to do between stagger steps
    if (now > next_start)
      discard_staggered(fmt::format("no step of the run (or rerun frame) fell on the window start due at step {}; "
                                    "this is step {}", next_start, now));
  }
  stagger_step(now);
}
