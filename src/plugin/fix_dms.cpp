#include "fix_dms.h"

#include "atom.h"
#include "comm.h"
#include "compute.h"
#include "domain.h"
#include "fix_window_store.h"
#include "error.h"
#include "force.h"
#include "group.h"
#include "kspace.h"
#include "modify.h"
#include "update.h"

#include <cmath>
#include <cstring>

using namespace LAMMPS_NS;
using namespace FixConst;

namespace {
constexpr int MIN_STEPS_PER_CYCLE = 20;
constexpr double MAX_AMPLITUDE = 0.2;     // beyond this no linear response is measured
constexpr double RESTART_FORMAT = 20251122.5;
const char *const AXIS_NAMES[] = {"x", "y", "z", "yz", "xz", "xy"};
// Pressure tensor order of LAMMPS: xx, yy, zz, xy, xz, yz.
const int PRESSURE_COMPONENT[] = {0, 1, 2, 5, 4, 3};
const int BOX_FLAG[] = {Fix::BOX_CHANGE_X, Fix::BOX_CHANGE_Y, Fix::BOX_CHANGE_Z, Fix::BOX_CHANGE_YZ,
                        Fix::BOX_CHANGE_XZ, Fix::BOX_CHANGE_XY};
}    // namespace

// fix ID group dms AXIS amplitude EA period TW [pressure ID] [every n] [harmonics 1|3] [discard K]

FixDMS::FixDMS(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), axis(X), amplitude(0.0), period(0.0), every(1), harmonics(1), discard(1),
    pressure_id("thermo_press"), pressure(nullptr), steps_per_cycle(0), started(0), step_start(0), last_sampled(-1), open_cycle_valid(1),
    reference_lo(0.0), reference_hi(0.0), reference_tilt(0.0), current_strain(0.0), current_stress(0.0),
    stress(nullptr), volume_compute(nullptr), volume_column(0), volume_constant(0.0), store(nullptr), fit(1)
{
  const char *usage = "fix ID group dms AXIS amplitude EA period TW [pressure ID] [every n] [harmonics 1|3] "
                      "[discard K] [peratom STRESS-ID [volume V|c_ID|c_ID[k]]]";
  if (narg < 8) error->all(FLERR, "Illegal fix dms command: usage: {}", usage);
  int found = -1;
  for (int k = 0; k < 6; k++)
    if (strcmp(arg[3], AXIS_NAMES[k]) == 0) found = k;
  if (found < 0) error->all(FLERR, "Fix dms: unknown axis '{}'; allowed: x, y, z (uniaxial) or xy, xz, yz (shear)", arg[3]);
  axis = found;
  if (axis >= YZ && !domain->triclinic)
    error->all(FLERR, "Fix dms: shear axis {} needs a triclinic box (create the box with a tilt, or use change_box "
               "all triclinic)", arg[3]);
  if (strcmp(arg[4], "amplitude") != 0) error->all(FLERR, "Fix dms: expected 'amplitude EA' after the axis; usage: {}", usage);
  amplitude = utils::numeric(FLERR, arg[5], false, lmp);
  if (!(amplitude > 0.0) || amplitude > MAX_AMPLITUDE)
    error->all(FLERR, "Fix dms amplitude: EA must be a strain in (0, {}], got {}", MAX_AMPLITUDE, arg[5]);
  if (strcmp(arg[6], "period") != 0) error->all(FLERR, "Fix dms: expected 'period TW' after the amplitude; usage: {}", usage);
  period = utils::numeric(FLERR, arg[7], false, lmp);
  if (!(period > 0.0)) error->all(FLERR, "Fix dms period: TW must be > 0 (time units), got {}", arg[7]);

  int iarg = 8;
  while (iarg < narg) {
    const std::string keyword = arg[iarg];
    if (keyword != "pressure" && keyword != "every" && keyword != "harmonics" && keyword != "discard" &&
        keyword != "peratom" && keyword != "volume")
      error->all(FLERR, "Fix dms: unknown keyword '{}'; allowed: pressure, every, harmonics, discard, peratom, volume",
                 keyword);
    if (iarg + 1 >= narg) utils::missing_cmd_args(FLERR, "fix dms " + keyword, error);
    if (keyword == "pressure") {
      pressure_id = arg[iarg + 1];
    } else if (keyword == "every") {
      every = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      if (every < 1) error->all(FLERR, "Fix dms every: n must be an integer >= 1, got {}", arg[iarg + 1]);
    } else if (keyword == "harmonics") {
      harmonics = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      if (harmonics != 1 && harmonics != 3)
        error->all(FLERR, "Fix dms harmonics: must be 1 (fundamental) or 3 (adds 2w and 3w), got {}", arg[iarg + 1]);
    } else if (keyword == "discard") {
      discard = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      if (discard < 0) error->all(FLERR, "Fix dms discard: K must be an integer >= 0, got {}", arg[iarg + 1]);
    } else if (keyword == "peratom") {
      stress_id = arg[iarg + 1];
    } else {
      const std::string value = arg[iarg + 1];
      if (utils::strmatch(value, "^c_")) {
        const auto bracket = value.find('[');
        volume_id = value.substr(2, bracket == std::string::npos ? std::string::npos : bracket - 2);
        if (bracket != std::string::npos) {
          volume_column = utils::inumeric(FLERR, value.substr(bracket + 1, value.size() - bracket - 2), false, lmp);
          if (volume_column < 1) error->all(FLERR, "Fix dms volume: column index must be >= 1 in {}", value);
        }
      } else {
        volume_constant = utils::numeric(FLERR, value, false, lmp);
        if (!(volume_constant > 0.0))
          error->all(FLERR, "Fix dms volume: V must be > 0 or a per-atom compute c_ID / c_ID[k], got {}", value);
      }
    }
    iarg += 2;
  }
  if (stress_id.empty() && (volume_constant > 0.0 || !volume_id.empty()))
    error->all(FLERR, "Fix dms volume: only meaningful with 'peratom STRESS-ID'");
  fit = glassdyn::CycleFit(harmonics);
  rhs.assign(fit.basis_size(), 0.0);

  box_change |= BOX_FLAG[axis];
  restart_global = 1;
  vector_flag = 1;
  size_vector = NGLOBAL;
  extvector = 0;
  global_freq = 1;
  array_flag = 1;
  size_array_rows = 0;
  size_array_rows_variable = 1;
  size_array_cols = NCYCLECOLUMNS;
  extarray = 0;
  nevery = 1;
  if (!stress_id.empty()) {
    peratom_flag = 1;
    size_peratom_cols = 4;
    peratom_freq = 1;
  }
}

FixDMS::~FixDMS()
{
  if (!store_id.empty() && modify->nfix && modify->get_fix_by_id(store_id)) modify->delete_fix(store_id);
}

void FixDMS::post_constructor()
{
  if (stress_id.empty()) return;
  // Per-atom running sums migrate with atoms and survive restarts in the shared store.
  store_id = std::string(id) + "_GLASSDYN_DMS_ATOM";
  modify->add_fix(fmt::format("{} {} GLASSDYN/WINDOW {}", store_id, group->names[igroup], RHS0 + int(fit.basis_size())));
  attach_peratom();
}

void FixDMS::attach_peratom()
{
  store = dynamic_cast<FixWindowStore *>(modify->get_fix_by_id(store_id));
  if (!store) error->all(FLERR, "Fix dms {}: its internal fix {} is missing", id, store_id);
  store->attach(this, &no_clock);
  array_atom = store->values();    // columns 0-3 are the outputs
}

int FixDMS::setmask()
{
  return POST_INTEGRATE | END_OF_STEP;
}

void FixDMS::init()
{
  pressure = modify->get_compute_by_id(pressure_id);
  if (!pressure) error->all(FLERR, "Fix dms pressure: no compute with ID {}", pressure_id);
  if (!pressure->pressflag || !pressure->vector_flag)
    error->all(FLERR, "Fix dms pressure: compute {} (style {}) is not a pressure compute", pressure_id, pressure->style);

  if (!stress_id.empty()) {
    attach_peratom();
    stress = modify->get_compute_by_id(stress_id);
    if (!stress) error->all(FLERR, "Fix dms peratom: no compute with ID {}", stress_id);
    if (!stress->peratom_flag || stress->size_peratom_cols < 6 || !stress->pressatomflag)
      error->all(FLERR, "Fix dms peratom: compute {} (style {}) is not a per-atom stress compute (use compute "
                 "stress/atom or centroid/stress/atom)", stress_id, stress->style);
    if (!volume_id.empty()) {
      volume_compute = modify->get_compute_by_id(volume_id);
      if (!volume_compute) error->all(FLERR, "Fix dms volume: no compute with ID {}", volume_id);
      const bool fits = volume_compute->peratom_flag &&
          ((volume_column == 0 && volume_compute->size_peratom_cols == 0) ||
           (volume_column > 0 && volume_column <= volume_compute->size_peratom_cols));
      if (!fits)
        error->all(FLERR, "Fix dms volume: compute {} has no per-atom {} ", volume_id,
                   volume_column ? fmt::format("column {}", volume_column) : std::string("vector"));
    }
  }

  const double steps = period / update->dt;
  const bigint n = static_cast<bigint>(std::llround(steps));
  if (std::fabs(steps - double(n)) > 1e-6 * steps)
    error->all(FLERR, "Fix dms period: TW = {} is not a whole number of timesteps ({} steps of {})", period, steps,
               update->dt);
  if (n < MIN_STEPS_PER_CYCLE)
    error->all(FLERR, "Fix dms period: TW = {} is only {} steps; a cycle needs at least {} steps", period, n,
               MIN_STEPS_PER_CYCLE);
  if (started && steps_per_cycle != n)
    error->all(FLERR, "Fix dms: the cycle length changed during the oscillation: period {} / timestep {} = {} steps, "
               "was {} steps", period, update->dt, n, steps_per_cycle);
  steps_per_cycle = n;
  if (steps_per_cycle % every != 0)
    error->all(FLERR, "Fix dms every: n = {} must divide the {} steps of a cycle", every, steps_per_cycle);
  if (steps_per_cycle / every < bigint(fit.basis_size()) * 2)
    error->all(FLERR, "Fix dms every: {} samples per cycle are too few for {} harmonic(s)", steps_per_cycle / every,
               harmonics);

  // The measured modulus assumes every other box length and tilt stays fixed.
  for (auto *other : modify->get_fix_list())
    if (other != this && (other->box_change & (BOX_CHANGE_SIZE | BOX_CHANGE_SHAPE)))
      error->all(FLERR, "Fix dms: fix {} (style {}) also changes the box; the box must stay fixed apart from the "
                 "strain along {} (use a thermostat without barostat)", other->id, other->style, AXIS_NAMES[axis]);
}

void FixDMS::setup(int /*vflag*/)
{
  if (!started) {
    // Zero strain now; the oscillation starts with rising strain.
    started = 1;
    step_start = update->ntimestep;
    if (axis <= Z) {
      reference_lo = domain->boxlo[axis];
      reference_hi = domain->boxhi[axis];
    } else {
      reference_tilt = (axis == XY) ? domain->xy : (axis == XZ) ? domain->xz : domain->yz;
      // Shear strain = change of tilt / height of the box along the tilting direction.
      reference_lo = (axis == XY) ? domain->boxlo[1] : domain->boxlo[2];
      reference_hi = (axis == XY) ? domain->boxhi[1] : domain->boxhi[2];
    }
  }
  if (update->ntimestep < step_start)
    error->all(FLERR, "Fix dms: the timestep {} precedes the start of the oscillation {}", update->ntimestep,
               step_start);
  if (last_sampled >= 0 && update->ntimestep > last_sampled + every) {
    // The timestep jumped (minimize, reset_timestep): the open cycle misses samples.
    open_cycle_valid = 0;
    if (comm->me == 0)
      error->warning(FLERR, "Fix dms {}: the timestep jumped from {} to {} outside a run; the open cycle is dropped",
                     id, last_sampled, update->ntimestep);
  }
  apply_strain(strain_at(update->ntimestep));
  end_of_step();    // sample the stress of the starting configuration if it is a sampling step
  // Whether or not this step was sampled (it may have been before a restart), the pressure
  // compute must tally the virial on the next sampling step.
  const bigint into = update->ntimestep - step_start;
  schedule_pressure(update->ntimestep + (every - into % every));
}

double FixDMS::strain_at(bigint step) const
{
  const bigint into_cycle = (step - step_start) % steps_per_cycle;
  return amplitude * std::sin(2.0 * M_PI * double(into_cycle) / double(steps_per_cycle));
}

void FixDMS::post_integrate()
{
  // Deform before the forces of this step, so the stress sampled at its end belongs to the
  // strain of this very step (no one-step phase lag).
  apply_strain(strain_at(update->ntimestep));
}

void FixDMS::apply_strain(double strain)
{
  current_strain = strain;
  double **x = atom->x;
  int *mask = atom->mask;
  const int nlocal = atom->nlocal;
  // Affine remap: fractional coordinates of the fix group are kept while the box changes.
  for (int i = 0; i < nlocal; i++)
    if (mask[i] & groupbit) domain->x2lamda(x[i], x[i]);
  if (axis <= Z) {
    const double middle = 0.5 * (reference_lo + reference_hi);
    const double half = 0.5 * (reference_hi - reference_lo) * (1.0 + strain);
    domain->boxlo[axis] = middle - half;
    domain->boxhi[axis] = middle + half;
  } else {
    const double tilt = reference_tilt + strain * (reference_hi - reference_lo);
    if (axis == XY) domain->xy = tilt;
    else if (axis == XZ) domain->xz = tilt;
    else domain->yz = tilt;
  }
  domain->set_global_box();
  domain->set_local_box();
  for (int i = 0; i < nlocal; i++)
    if (mask[i] & groupbit) domain->lamda2x(x[i], x[i]);
  if (force->kspace) force->kspace->setup();
}

void FixDMS::schedule_pressure(bigint step)
{
  // LAMMPS tallies the virial only on steps a compute asked for.
  pressure->addstep(step);
  if (stress) stress->addstep(step);
}

double FixDMS::sample_stress()
{
  if (pressure->invoked_vector != update->ntimestep) pressure->compute_vector();
  return -pressure->vector[PRESSURE_COMPONENT[axis]];
}

void FixDMS::end_of_step()
{
  // The store reallocates when atoms arrive; outputs read after this point see its rows.
  if (store) array_atom = store->values();
  const bigint into = update->ntimestep - step_start;
  if (into % every != 0 || update->ntimestep == last_sampled) return;
  last_sampled = update->ntimestep;
  const bigint into_cycle = into % steps_per_cycle;
  if (into > 0 && into_cycle == 0) finish_cycle();
  current_stress = sample_stress();
  const double theta = 2.0 * M_PI * double(into_cycle) / double(steps_per_cycle);
  fit.add_phase(theta);
  fit.add_signal(theta, current_stress, rhs.data());
  if (stress) sample_peratom(theta);
  schedule_pressure(update->ntimestep + every);
}

void FixDMS::sample_peratom(double theta)
{
  if (stress->invoked_peratom != update->ntimestep) stress->compute_peratom();
  // stress/atom holds -P_ab * V_i per atom: summed over atoms it is sigma * V.
  double **s = stress->array_atom;
  double **values = store->values();
  const int component = PRESSURE_COMPONENT[axis];
  for (int i = 0; i < atom->nlocal; i++)
    if (atom->mask[i] & groupbit) fit.add_signal(theta, s[i][component], &values[i][RHS0]);
  array_atom = values;
}

double FixDMS::atom_volume(int i) const
{
  if (volume_constant > 0.0) return volume_constant;
  if (!volume_compute) return 1.0;
  return volume_column ? volume_compute->array_atom[i][volume_column - 1] : volume_compute->vector_atom[i];
}

void FixDMS::finish_peratom_cycle(bool counted)
{
  if (volume_compute && volume_compute->invoked_peratom != update->ntimestep) volume_compute->compute_peratom();
  const auto inverse = fit.inverse();
  const size_t n = fit.basis_size();
  double **values = store->values();
  for (int i = 0; i < atom->nlocal; i++) {
    double *v = values[i];
    if (counted && (atom->mask[i] & groupbit)) {
      double a = 0.0, b = 0.0;
      for (size_t j = 0; j < n; j++) {
        a += inverse[1 * n + j] * v[RHS0 + j];
        b += inverse[2 * n + j] * v[RHS0 + j];
      }
      const double scale = 1.0 / (amplitude * atom_volume(i));
      v[LAST_STORAGE] = a * scale;
      v[LAST_LOSS] = b * scale;
      if (int(cycles.size()) > discard) {    // this cycle is among the averaged ones
        v[SUM_STORAGE] += v[LAST_STORAGE];
        v[SUM_LOSS] += v[LAST_LOSS];
        v[N_USED] += 1.0;
        v[MEAN_STORAGE] = v[SUM_STORAGE] / v[N_USED];
        v[MEAN_LOSS] = v[SUM_LOSS] / v[N_USED];
      }
    }
    for (size_t j = 0; j < n; j++) v[RHS0 + j] = 0.0;
  }
  array_atom = values;
}

void FixDMS::finish_cycle()
{
  if (open_cycle_valid) cycles.push_back(glassdyn::cycle_moduli(fit.solve(rhs.data()), amplitude));
  if (stress) finish_peratom_cycle(open_cycle_valid != 0);
  open_cycle_valid = 1;
  fit.reset();
  std::fill(rhs.begin(), rhs.end(), 0.0);
  statistics = glassdyn::average_cycles(cycles, discard);
  size_array_rows = static_cast<int>(cycles.size());
}

double FixDMS::compute_vector(int n)
{
  switch (n) {
    case STORAGE: return statistics.storage;
    case STORAGE_STD: return statistics.storage_std;
    case LOSS: return statistics.loss;
    case LOSS_STD: return statistics.loss_std;
    case TAN_DELTA: return statistics.tan_delta;
    case TAN_DELTA_STD: return statistics.tan_delta_std;
    case CYCLES_USED: return statistics.cycles;
    case HARMONIC2: return statistics.harmonic2;
    case HARMONIC3: return statistics.harmonic3;
    case STRAIN: return current_strain;
    default: return current_stress;
  }
}

double FixDMS::compute_array(int row, int column)
{
  if (row < 0 || row >= int(cycles.size())) return 0.0;
  const auto &c = cycles[row];
  switch (column) {
    case CYCLE: return row + 1;
    case C_STORAGE: return c.storage;
    case C_LOSS: return c.loss;
    case C_TAN_DELTA: return c.tan_delta;
    case C_HARMONIC2: return c.harmonic2;
    case C_HARMONIC3: return c.harmonic3;
    default: return c.offset;
  }
}

bool FixDMS::may_start_window(bigint step) const
{
  return started && step >= step_start && steps_per_cycle > 0 && (step - step_start) % steps_per_cycle == 0;
}

bigint FixDMS::window_end(bigint window_start) const
{
  return window_start + steps_per_cycle;
}

void FixDMS::write_restart(FILE *fp)
{
  std::vector<double> state = {RESTART_FORMAT, double(axis), amplitude, double(every), double(harmonics),
                               double(open_cycle_valid), double(started), double(step_start), double(steps_per_cycle),
                               reference_lo, reference_hi, reference_tilt, double(last_sampled),
                               double(cycles.size())};
  for (const auto &c : cycles) state.insert(state.end(), {c.offset, c.storage, c.loss, c.tan_delta, c.harmonic2, c.harmonic3});
  const auto sums = fit.state();
  state.insert(state.end(), sums.begin(), sums.end());
  state.insert(state.end(), rhs.begin(), rhs.end());
  if (comm->me == 0) {
    int size = int(state.size() * sizeof(double));
    fwrite(&size, sizeof(int), 1, fp);
    fwrite(state.data(), sizeof(double), state.size(), fp);
  }
}

void FixDMS::restart(char *buf)
{
  auto *state = reinterpret_cast<double *>(buf);
  if (state[0] != RESTART_FORMAT)
    error->all(FLERR, "Fix dms {}: the restart record has an unknown layout (written by another glassdyn version?)", id);
  if (static_cast<int>(state[1]) != axis || state[2] != amplitude || static_cast<int>(state[3]) != every ||
      static_cast<int>(state[4]) != harmonics)
    error->all(FLERR, "Fix dms {}: the restart file holds an oscillation along {} with amplitude {}, every {}, "
               "harmonics {}; re-issue the fix with the same values to continue it", id,
               AXIS_NAMES[static_cast<int>(state[1])], state[2], static_cast<int>(state[3]), static_cast<int>(state[4]));
  open_cycle_valid = static_cast<int>(state[5]);
  started = static_cast<int>(state[6]);
  step_start = static_cast<bigint>(state[7]);
  steps_per_cycle = static_cast<bigint>(state[8]);
  reference_lo = state[9];
  reference_hi = state[10];
  reference_tilt = state[11];
  last_sampled = static_cast<bigint>(state[12]);
  const auto ncycles = static_cast<size_t>(state[13]);
  size_t m = 14;
  cycles.clear();
  for (size_t k = 0; k < ncycles; k++, m += 6) {
    glassdyn::CycleModuli c;
    c.offset = state[m];
    c.storage = state[m + 1];
    c.loss = state[m + 2];
    c.tan_delta = state[m + 3];
    c.harmonic2 = state[m + 4];
    c.harmonic3 = state[m + 5];
    cycles.push_back(c);
  }
  const size_t nsums = 1 + fit.basis_size() * fit.basis_size();
  fit.restore(std::vector<double>(state + m, state + m + nsums));
  m += nsums;
  rhs.assign(state + m, state + m + fit.basis_size());
  statistics = glassdyn::average_cycles(cycles, discard);
  size_array_rows = static_cast<int>(cycles.size());
}
