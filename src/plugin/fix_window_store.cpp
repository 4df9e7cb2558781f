#include "fix_window_store.h"

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "memory.h"
#include "update.h"

#include <cstring>

using namespace LAMMPS_NS;
using namespace FixConst;

namespace {
constexpr int MAX_COLUMNS = 10000;
}

// Syntax (issued by the owning compute): fix ID group GLASSDYN/WINDOW ncolumns

FixWindowStore::FixWindowStore(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), nmax_store(0), per_atom(nullptr), owner(nullptr), listener(nullptr), clock(nullptr), reference_set(0),
    start_step(0), end_step(0), last_step(-1), restored_flag(0)
{
  if (narg != 4) error->all(FLERR, "Illegal fix GLASSDYN/WINDOW command: expected 1 argument (ncolumns)");
  ncolumns = utils::inumeric(FLERR, arg[3], false, lmp);
  // The widest store in use: cage/atom with maxcage 1000 (1004 columns).
  if (ncolumns < 1 || ncolumns > MAX_COLUMNS)
    error->all(FLERR, "Fix GLASSDYN/WINDOW: ncolumns must be in 1..{}, got {}", MAX_COLUMNS, ncolumns);

  restart_global = 1;
  restart_peratom = 1;
  create_attribute = 1;    // atoms made by create_atoms, fix deposit, ... need a reference
  maxexchange = ncolumns;
  nevery = 1;

  grow_arrays(atom->nmax);
  atom->add_callback(Atom::GROW);
  atom->add_callback(Atom::RESTART);
  for (int i = 0; i < atom->nlocal; i++)
    for (int k = 0; k < ncolumns; k++) per_atom[i][k] = 0.0;
}

FixWindowStore::~FixWindowStore()
{
  // The owner may be a style that outlives this fix (after `unfix` of the store).
  if (owner) owner->store_deleted();
  atom->delete_callback(id, Atom::GROW);
  atom->delete_callback(id, Atom::RESTART);
  memory->destroy(per_atom);
}

int FixWindowStore::setmask()
{
  return END_OF_STEP;
}

void FixWindowStore::attach(StoreOwner *plain_owner)
{
  owner = plain_owner;
  listener = nullptr;
  clock = nullptr;
}

void FixWindowStore::attach(WindowListener *window_listener, const WindowClock *window_clock)
{
  owner = listener = window_listener;
  clock = window_clock;
  // The end of the open window follows the clock (a restart may change `window N`), unless the
  // clock does not know this window (a re-defined sync fix): setup() then discards it, and its
  // warning names the end it was due at.
  if (reference_set && clock->may_start_window(start_step)) end_step = clock->window_end(start_step);
}

void FixWindowStore::start_window(bigint step)
{
  listener->begin_window();
  start_step = step;
  end_step = clock->window_end(step);
  reference_set = 1;
}

void FixWindowStore::discard_window(const std::string &reason)
{
  // The step named is where the next window really begins: at once with `window N`, at the
  // next cycle start of the fix named by `sync`.
  if (comm->me == 0)
    error->warning(FLERR, "Fix {}: the window that began at step {} (due to end at step {}) is discarded: {}; the "
                   "next window starts at step {}", id, start_step, end_step, reason,
                   clock->next_window_start(update->ntimestep));
  reference_set = 0;
}

void FixWindowStore::setup(int /*vflag*/)
{
  if (!owner) error->all(FLERR, "Fix {} has no owning glassdyn compute", id);
  const bigint now = update->ntimestep;
  if (!clock) {
    last_step = now;
    return;
  }
  // A run starts at update->firststep; a rerun sets up every frame at its own step, and its
  // frames jump by design (a skipped window end is caught below).
  const bool run_start = (now == update->firststep);
  if (reference_set) {
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
  if (!reference_set && clock->may_start_window(now)) start_window(now);
}

void FixWindowStore::end_of_step()
{
  const bigint now = update->ntimestep;
  last_step = now;
  if (!clock) return;    // a plain store opens no windows
  if (reference_set) {
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

void FixWindowStore::grow_arrays(int nmax)
{
  memory->grow(per_atom, nmax, ncolumns, "glassdyn/window:per_atom");
  nmax_store = nmax;
}

void FixWindowStore::copy_arrays(int i, int j, int /*delflag*/)
{
  std::memcpy(per_atom[j], per_atom[i], sizeof(double) * ncolumns);
}

void FixWindowStore::set_arrays(int i)
{
  for (int k = 0; k < ncolumns; k++) per_atom[i][k] = 0.0;
  if (listener) listener->initialise_atom(i);
}

int FixWindowStore::pack_exchange(int i, double *buf)
{
  for (int k = 0; k < ncolumns; k++) buf[k] = per_atom[i][k];
  return ncolumns;
}

int FixWindowStore::unpack_exchange(int nlocal, double *buf)
{
  for (int k = 0; k < ncolumns; k++) per_atom[nlocal][k] = buf[k];
  return ncolumns;
}

int FixWindowStore::pack_restart(int i, double *buf)
{
  // The first value is the record length, as LAMMPS's per-atom restart format requires.
  buf[0] = ncolumns + 1;
  for (int k = 0; k < ncolumns; k++) buf[k + 1] = per_atom[i][k];
  return ncolumns + 1;
}

void FixWindowStore::unpack_restart(int nlocal, int nth)
{
  double **extra = atom->extra;
  int m = 0;
  for (int i = 0; i < nth; i++) m += static_cast<int>(extra[nlocal][m]);
  const int stored = static_cast<int>(extra[nlocal][m]) - 1;
  m++;
  if (stored != ncolumns)
    error->one(FLERR, "Fix {}: restart file holds {} values per atom, expected {}", id, stored, ncolumns);
  for (int k = 0; k < ncolumns; k++) per_atom[nlocal][k] = extra[nlocal][m++];
  restored_flag = 1;
}

int FixWindowStore::size_restart(int /*nlocal*/)
{
  return ncolumns + 1;
}

int FixWindowStore::maxsize_restart()
{
  return ncolumns + 1;
}

namespace {
// Marks the layout of the global restart record, so a foreign or corrupt record is refused.
constexpr double RESTART_FORMAT = 20251122.1;
constexpr size_t MAX_SAVED_RESULTS = 10000000;
}    // namespace

void FixWindowStore::write_restart(FILE *fp)
{
  std::vector<double> state = {RESTART_FORMAT, double(reference_set), double(start_step),
                               double(saved_results.size())};
  state.insert(state.end(), saved_results.begin(), saved_results.end());
  if (comm->me == 0) {
    int size = int(state.size() * sizeof(double));
    fwrite(&size, sizeof(int), 1, fp);
    fwrite(state.data(), sizeof(double), state.size(), fp);
  }
}

void FixWindowStore::restart(char *buf)
{
  auto *state = reinterpret_cast<double *>(buf);
  if (state[0] != RESTART_FORMAT || state[3] < 0.0 || state[3] > double(MAX_SAVED_RESULTS))
    error->all(FLERR, "Fix {}: the restart file's window record has an unknown layout (written by another glassdyn "
               "version?)", id);
  reference_set = static_cast<int>(state[1]);
  start_step = static_cast<bigint>(state[2]);
  last_step = update->ntimestep;    // the step the restart file was written at
  restored_flag = 1;
  const auto nresults = static_cast<size_t>(state[3]);
  saved_results.assign(state + 4, state + 4 + nresults);
}

double FixWindowStore::memory_usage()
{
  return (double(nmax_store) * ncolumns + double(saved_results.size())) * sizeof(double);
}
