#include "compute_windowed.h"

#include "fix_window_schedule.h"
#include "fix_window_store.h"

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "group.h"
#include "memory.h"
#include "modify.h"
#include "update.h"

#include <algorithm>

using namespace LAMMPS_NS;

namespace {
constexpr bigint MAX_WINDOW_STEPS = bigint(1) << 52;
constexpr int MAX_ORIGINS = 64;
// The widest per-atom store (fix GLASSDYN/WINDOW's limit).
constexpr int MAX_STORE_COLUMNS = 10000;
// Marks a restart state written with staggered windows: {STAGGERED, K, schedule state...,
// saved results...}. One-origin states keep their old layout {open, start, saved results...},
// whose first value is 0 or 1.
constexpr double STAGGERED_STATE = -1.0;
}

WindowedCompute::WindowedCompute(LAMMPS *lmp, int narg, char **arg) :
    Compute(lmp, narg, arg), style_name(arg[2]), style_label("Compute " + style_name), store(nullptr), global_values(nullptr),
    global_table(nullptr), schedule(nullptr), first_output_column(0), stored_output_columns(0), output_atom(nullptr), nmax_output(0), window_length(0),
    norigins(1), reference_width(0), own_columns(0), clock(nullptr)
{
  if (atom->tag_enable == 0) error->all(FLERR, "{} requires atom IDs", style_label);
  if (group->dynamic[igroup])
    error->all(FLERR, "{} cannot use the dynamic group {}: the analysed set must not change within a window",
               style_label, group->names[igroup]);
}

WindowedCompute::~WindowedCompute()
{
  // Only our own store: a fix of another owner may carry its ID after an `unfix`.
  if (store && modify->nfix && modify->get_fix_by_id(store_id) == store) modify->delete_fix(store_id);
  if (schedule && modify->nfix && modify->get_fix_by_id(schedule_id) == schedule) modify->delete_fix(schedule_id);
  memory->destroy(global_values);
  memory->destroy(global_table);
  memory->destroy(output_atom);
}

int WindowedCompute::parse_pair_distance(int narg, char **arg, int iarg, glassdyn::PairTable &table)
{
  const std::string keyword = arg[iarg];
  if (iarg + 3 >= narg) utils::missing_cmd_args(FLERR, "compute " + style_name + " " + keyword, error);
  const int ti = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
  const int tj = utils::inumeric(FLERR, arg[iarg + 2], false, lmp);
  const double value = utils::numeric(FLERR, arg[iarg + 3], false, lmp);
  if (ti < 1 || ti > atom->ntypes || tj < 1 || tj > atom->ntypes)
    error->all(FLERR, "{} {}: atom types must be in 1..{}, got {} {}", style_label, keyword, atom->ntypes, ti, tj);
  if (!(value > 0.0)) error->all(FLERR, "{} {}: distance must be > 0, got {}", style_label, keyword, value);
  table.set(ti, tj, value);
  return 4;
}

void WindowedCompute::create_outputs(int nvector, int array_rows, int array_cols, int stored_columns,
                                     int first_column)
{
  // LAMMPS expands a wildcard `c_ID[*]` in per-atom commands (dump custom, fix ave/atom,
  // compute reduce, ...) to the columns of the *global array* when a compute has one
  // (utils::expand_args, mode 1). With fewer per-atom columns the command then stops with
  // an out-of-range error whose argument index points past the input line, and LAMMPS's
  // error report reads beyond it (a segfault). The per-atom array therefore has exactly as
  // many columns as the global array.
  if (stored_columns > array_cols)
    error->all(FLERR, "{}: internal error: {} per-atom columns exceed the {} global array columns", style_label,
               stored_columns, array_cols);
  vector_flag = 1;
  size_vector = nvector;
  extvector = 0;
  array_flag = 1;
  size_array_rows = array_rows;
  size_array_cols = array_cols;
  extarray = 0;
  peratom_flag = 1;
  size_peratom_cols = array_cols;
  stored_output_columns = stored_columns;
  first_output_column = first_column;
  memory->create(global_values, nvector, "glassdyn:global_values");
  memory->create(global_table, array_rows, array_cols, "glassdyn:global_table");
  for (int k = 0; k < nvector; k++) global_values[k] = 0.0;
  for (int r = 0; r < array_rows; r++)
    for (int c = 0; c < array_cols; c++) global_table[r][c] = 0.0;
  vector = global_values;
  array = global_table;
}

int WindowedCompute::parse_window_keyword(int narg, char **arg, int iarg)
{
  const std::string keyword = arg[iarg];
  if (keyword != "window" && keyword != "sync" && keyword != "origins") return 0;
  if (iarg + 1 >= narg) utils::missing_cmd_args(FLERR, "compute " + style_name + " " + keyword, error);
  if (keyword == "window") {
    window_length = utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
    if (window_length <= 0)
      error->all(FLERR, "{} window: N must be a positive number of steps, got {}", style_label, arg[iarg + 1]);
    // Window steps are kept exactly in restart files (as doubles) and added to start steps.
    if (window_length > MAX_WINDOW_STEPS)
      error->all(FLERR, "{} window: N must be at most 2^52 = {} steps, got {}", style_label, MAX_WINDOW_STEPS,
                 arg[iarg + 1]);
  } else if (keyword == "origins") {
    norigins = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
    if (norigins < 1 || norigins > MAX_ORIGINS)
      error->all(FLERR, "{} origins: K must be an integer in 1..{}, got {}", style_label, MAX_ORIGINS, arg[iarg + 1]);
  } else {
    sync_fix_id = arg[iarg + 1];
  }
  return 2;
}

void WindowedCompute::follow_clock_of(const std::string &compute_id)
{
  clock_compute_id = compute_id;
}

void WindowedCompute::create_store(int ncolumns, int reference_columns)
{
  if (!clock_compute_id.empty() && (window_length > 0 || !sync_fix_id.empty()))
    error->all(FLERR, "{}: windows follow compute {}; keywords window and sync are not allowed", style_label,
               clock_compute_id);
  if (window_length > 0 && !sync_fix_id.empty())
    error->all(FLERR, "{}: keywords window and sync exclude each other; give one", style_label);
  if (window_length == 0 && sync_fix_id.empty() && clock_compute_id.empty())
    error->all(FLERR, "{} needs 'window N' (steps) or 'sync FIX-ID' to define its windows", style_label);
  if (norigins > 1) {
    if (!sync_fix_id.empty())
      error->all(FLERR, "{} origins: K > 1 cannot be combined with sync {}: the fix's windows are its oscillation "
                 "cycles, one at a time, each starting at zero strain; staggered windows would start mid-cycle. Use "
                 "origins 1 (the default) with sync", style_label, sync_fix_id);
    if (reference_columns <= 0)
      error->all(FLERR, "{} origins: this style cannot run staggered windows; K must be 1", style_label);
    if (window_length % norigins != 0)
      error->all(FLERR, "{} origins: K = {} must divide the window length N = {} (a window starts every N/K steps)",
                 style_label, norigins, window_length);
    if (ncolumns + bigint(norigins - 1) * reference_columns > MAX_STORE_COLUMNS)
      error->all(FLERR, "{} origins: K = {} copies of the {} reference values per atom exceed the store's {} values "
                 "per atom; lower origins (or maxcage)", style_label, norigins, reference_columns, MAX_STORE_COLUMNS);
  }
  own_columns = ncolumns;
  reference_width = reference_columns;
  const int store_columns = ncolumns + (norigins - 1) * reference_columns;
  if (sync_fix_id.empty() && clock_compute_id.empty()) own_clock = std::make_unique<RegularWindowClock>(window_length);
  store_id = std::string(id) + "_GLASSDYN_WINDOW";
  modify->add_fix(fmt::format("{} {} GLASSDYN/WINDOW {}", store_id, group->names[igroup], store_columns));
  store = dynamic_cast<FixWindowStore *>(modify->get_fix_by_id(store_id));
  if (!store) error->all(FLERR, "{} {}: its internal fix {} is missing", style_label, id, store_id);
  schedule_id = std::string(id) + "_GLASSDYN_SCHEDULE";
  modify->add_fix(fmt::format("{} {} GLASSDYN/SCHEDULE", schedule_id, group->names[igroup]));
  schedule = dynamic_cast<FixWindowSchedule *>(modify->get_fix_by_id(schedule_id));
  if (!schedule) error->all(FLERR, "{} {}: its internal fix {} is missing", style_label, id, schedule_id);
  if (norigins > 1) schedule->set_origins(norigins, window_length / norigins);
  // After a restart: {window open, window start step, saved global results...}, or with
  // staggered windows {STAGGERED_STATE, K, schedule state (3 + 2K values), saved results...}.
  const auto &state = store->restored_state();
  if (!state.empty() && state[0] == STAGGERED_STATE) {
    const size_t k = state.size() >= 2 ? static_cast<size_t>(std::max(0.0, state[1])) : 0;
    const size_t header = 2 + 3 + 2 * k;
    if (state.size() >= header) {
      const std::vector<double> staggered(state.begin() + 2, state.begin() + header);
      if (norigins > 1 && !schedule->restore_staggered(staggered) && comm->me == 0)
        error->warning(FLERR, "{} {}: the restart file's staggered windows ({} origins, a start every {} steps) do "
                       "not match origins {} window {}; they are discarded and windows start anew", style_label, id,
                       k, staggered[0], norigins, window_length);
      saved_results.assign(state.begin() + header, state.end());
    }
  } else if (norigins > 1 && state.size() >= 2) {
    if (comm->me == 0)
      error->warning(FLERR, "{} {}: the restart file holds one window, not {} staggered ones; it is discarded and "
                     "windows start anew", style_label, id, norigins);
    saved_results.assign(state.begin() + 2, state.end());
  } else if (state.size() >= 2) {
    schedule->restore(state[0] != 0.0, static_cast<bigint>(state[1]));
    saved_results.assign(state.begin() + 2, state.end());
  }
  attach_store();
  restore_global_results();
}

std::vector<double> WindowedCompute::restart_state() const
{
  if (norigins > 1 && schedule) {
    std::vector<double> state = {STAGGERED_STATE, double(norigins)};
    const auto staggered = schedule->staggered_state();
    state.insert(state.end(), staggered.begin(), staggered.end());
    state.insert(state.end(), saved_results.begin(), saved_results.end());
    return state;
  }
  std::vector<double> state = {schedule && schedule->window_open() ? 1.0 : 0.0,
                               schedule ? double(schedule->window_start()) : 0.0};
  state.insert(state.end(), saved_results.begin(), saved_results.end());
  return state;
}

void WindowedCompute::attach_store()
{
  check_store_alive();
  if (!clock_compute_id.empty()) {
    auto *leader = dynamic_cast<WindowedCompute *>(modify->get_compute_by_id(clock_compute_id));
    if (!leader) error->all(FLERR, "{}: no glassdyn windowed compute with ID {}", style_label, clock_compute_id);
    leader->check_store_alive();
    leader->check_schedule_alive();
    // Its schedule must come first in the fix list: fixes run end_of_step() in that order, so
    // the leader's window is evaluated before this compute reads its results.
    int leader_index = -1, own_index = -1;
    for (int f = 0; f < modify->nfix; f++) {
      if (modify->fix[f] == leader->schedule) leader_index = f;
      if (modify->fix[f] == schedule) own_index = f;
    }
    if (leader_index > own_index)
      error->all(FLERR, "{} {}: compute {} must be defined before it (it was defined again after it)", style_label,
                 id, clock_compute_id);
    if (leader->origins() > 1)
      error->all(FLERR, "{} {}: compute {} runs staggered windows (origins {}); this style follows one window at a "
                 "time, so give that compute origins 1", style_label, id, clock_compute_id, leader->origins());
    clock = leader->clock;
  } else if (sync_fix_id.empty()) {
    clock = own_clock.get();
  } else {
    Fix *fix = modify->get_fix_by_id(sync_fix_id);
    if (!fix) error->all(FLERR, "{} sync: no fix with ID {}", style_label, sync_fix_id);
    clock = dynamic_cast<WindowClock *>(fix);
    if (!clock)
      error->all(FLERR, "{} sync: fix {} (style {}) does not publish window boundaries; use 'window N' instead",
                 style_label, sync_fix_id, fix->style);
  }
  check_schedule_alive();
  store->attach(this);
  schedule->attach(this, clock);
}

void WindowedCompute::init()
{
  // The sync fix can be deleted and re-created between runs; look it up again.
  attach_store();
  if (uses_neighbour_snapshots) join_neighbour_snapshots();
}

void WindowedCompute::check_store_alive()
{
  // The store is ours only if it is the very fix this compute created: after an `unfix`, a fix
  // with the same ID (even of style GLASSDYN/WINDOW) holds none of this compute's data.
  Fix *current = modify->get_fix_by_id(store_id);
  if (store && current == store) return;
  if (!current)
    error->all(FLERR, "{} {}: its internal fix {} is missing: it was deleted; delete and re-create the compute",
               style_label, id, store_id);
  error->all(FLERR, "{} {}: its internal fix {} was deleted and replaced by a fix {} of style {} that holds none of "
             "its data; delete and re-create the compute", style_label, id, store_id, current->id, current->style);
}

void WindowedCompute::check_schedule_alive()
{
  Fix *current = modify->get_fix_by_id(schedule_id);
  if (schedule && current == schedule) return;
  if (!current)
    error->all(FLERR, "{} {}: its internal fix {} is missing: it was deleted; delete and re-create the compute",
               style_label, id, schedule_id);
  error->all(FLERR, "{} {}: its internal fix {} was deleted and replaced by a fix {} of style {}; delete and "
             "re-create the compute", style_label, id, schedule_id, current->id, current->style);
}

bool WindowedCompute::has_window_results()
{
  check_store_alive();
  return !saved_results.empty();
}

bigint WindowedCompute::open_window_start()
{
  check_store_alive();
  check_schedule_alive();
  return schedule->window_start();
}

void WindowedCompute::swap_reference(int origin)
{
  if (origin == 0) return;
  double **values = store->values();
  const int copy = own_columns + (origin - 1) * reference_width;
  for (int i = 0; i < atom->nlocal; i++) std::swap_ranges(values[i], values[i] + reference_width, values[i] + copy);
}

void WindowedCompute::finish_origin_window(int origin, bigint window_start, bigint window_end)
{
  check_store_alive();
  swap_reference(origin);
  finish_window(window_start, window_end);
  swap_reference(origin);
}

void WindowedCompute::begin_origin_window(int origin)
{
  check_store_alive();
  swap_reference(origin);
  begin_window();
  swap_reference(origin);
}

void WindowedCompute::atom_created(int i)
{
  initialise_atom(i);
  // An atom created mid-run enters every open window the same way.
  double **values = store->values();
  for (int k = 1; k < norigins; k++)
    std::copy_n(values[i], reference_width, values[i] + own_columns + (k - 1) * reference_width);
}

void WindowedCompute::store_deleted()
{
  store = nullptr;
}

void WindowedCompute::schedule_deleted()
{
  schedule = nullptr;
}

void WindowedCompute::save_global_results()
{
  auto &saved = saved_results;
  saved.assign(global_values, global_values + size_vector);
  for (int r = 0; r < size_array_rows; r++) saved.insert(saved.end(), global_table[r], global_table[r] + size_array_cols);
}

void WindowedCompute::restore_global_results()
{
  // A restart written with another layout (other maxsize or number of types) is not used:
  // the global outputs then stay 0 until the next window end.
  const auto &saved = saved_results;
  if (saved.size() != size_t(size_vector) + size_t(size_array_rows) * size_array_cols) return;
  std::copy_n(saved.begin(), size_vector, global_values);
  for (int r = 0; r < size_array_rows; r++)
    std::copy_n(saved.begin() + size_vector + size_t(r) * size_array_cols, size_array_cols, global_table[r]);
}

void WindowedCompute::compute_vector()
{
  invoked_vector = update->ntimestep;
}

void WindowedCompute::compute_array()
{
  invoked_array = update->ntimestep;
}

void WindowedCompute::compute_peratom()
{
  invoked_peratom = update->ntimestep;
  check_store_alive();
  if (atom->nmax > nmax_output) {
    nmax_output = atom->nmax;
    memory->destroy(output_atom);
    memory->create(output_atom, nmax_output, size_peratom_cols, "glassdyn:output_atom");
    array_atom = output_atom;
  }
  double **values = store->values();
  for (int i = 0; i < atom->nlocal; i++) {
    for (int c = 0; c < stored_output_columns; c++) output_atom[i][c] = values[i][first_output_column + c];
    derive_columns(output_atom[i]);
  }
}

void WindowedCompute::join_neighbour_snapshots()
{
  if (!snapshots) {
    // One set of searches per LAMMPS instance: adopt another glassdyn compute's, if any.
    for (int c = 0; c < modify->ncompute; c++) {
      auto *windowed = dynamic_cast<WindowedCompute *>(modify->compute[c]);
      if (windowed && windowed != this && windowed->neighbour_snapshots()) {
        snapshots = windowed->neighbour_snapshots();
        break;
      }
    }
    if (!snapshots) snapshots = std::make_shared<NeighbourSnapshots>();
  }
}

std::shared_ptr<const NeighbourSnapshot> WindowedCompute::neighbours_at_window_start(const glassdyn::PairTable &cutoff)
{
  join_neighbour_snapshots();
  // Only another holder could ask for the same search at this step.
  return snapshots->find(lmp, groupbit, cutoff, snapshots.use_count() > 1);
}

double WindowedCompute::memory_usage()
{
  // Per-atom output rows (allocated when first requested), the global vector and array, and
  // their copy kept for restart files.
  const double values = double(nmax_output) * size_peratom_cols + size_vector +
      double(size_array_rows) * size_array_cols + double(saved_results.capacity());
  // The shared neighbour searches, in equal shares among the computes holding them.
  const double shared = snapshots ? snapshots->memory_usage() / double(snapshots.use_count()) : 0.0;
  return values * sizeof(double) + shared;
}
