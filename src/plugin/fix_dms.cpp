#include "fix_dms.h"

#include "atom.h"
#include "comm.h"
#include "compute.h"
#include "domain.h"
#include "fix_window_store.h"
#include "error.h"
#include "force.h"
#include "group.h"
#include "input.h"
#include "lammps_compat.h"
#include "kspace.h"
#include "memory.h"
#include "modify.h"
#include "update.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

using namespace LAMMPS_NS;
using namespace FixConst;

namespace {
constexpr int MIN_STEPS_PER_CYCLE = 20;
constexpr double MIN_AMPLITUDE = 1e-9;    // below this the strain drowns in rounding of box coordinates
constexpr double MAX_STEPS_PER_CYCLE = 4503599627370496.0;    // 2^52: steps stay exact as doubles
constexpr double RESTART_FORMAT = 20261130.1;          // appends the box the oscillation left
constexpr double RESTART_FORMAT_NO_BOX = 20251122.5;   // earlier layout, still read
const char *const AXIS_NAMES[] = {"x", "y", "z", "yz", "xz", "xy"};
// Pressure tensor order of LAMMPS: xx, yy, zz, xy, xz, yz.
const int PRESSURE_COMPONENT[] = {0, 1, 2, 5, 4, 3};
const int BOX_FLAG[] = {Fix::BOX_CHANGE_X, Fix::BOX_CHANGE_Y, Fix::BOX_CHANGE_Z, Fix::BOX_CHANGE_YZ,
                        Fix::BOX_CHANGE_XZ, Fix::BOX_CHANGE_XY};
// The two box dimensions a tilt couples (yz, xz, xy); uniaxial axes use their own dimension.
const int TILT_DIMS[][2] = {{1, 2}, {0, 2}, {0, 1}};
const char *const BOX_VALUE_NAMES[] = {"xlo", "ylo", "zlo", "xhi", "yhi", "zhi", "xy", "xz", "yz"};
const char *const DIM_NAMES[] = {"x", "y", "z"};
}    // namespace

// fix ID group dms AXIS amplitude EA period TW [pressure ID] [every n] [harmonics 1|3] [discard K]

void FixDMS::check_fit_options(bool period_read)
{
  glassdyn::CycleFitOptions options;
  options.amplitude = amplitude;
  options.period = period_read ? period : 1.0;    // not yet read: checked once it is
  options.harmonics = harmonics;
  options.discard = discard;
  try {
    options.validate();
  } catch (std::invalid_argument &e) {
    error->all(FLERR, "Fix dms {}", e.what());
  }
}

double FixDMS::memory_usage()
{
  // The per-atom sums live in the store (its own memory_usage); here the NaN rows kept for
  // outputs after a user deleted the store, and the per-cycle results.
  return double(orphan_nmax) * NPERATOMOUTPUTS * sizeof(double) + double(cycles.size()) * sizeof(glassdyn::CycleModuli) +
         double(rhs.size()) * sizeof(double);
}

FixDMS::FixDMS(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), axis(X), amplitude(0.0), period(0.0), every(1), harmonics(1), discard(1),
    pressure_id("thermo_press"), pressure(nullptr), steps_per_cycle(0), started(0), step_start(0), last_sampled(-1), open_cycle_valid(1),
    reference_lo(0.0), reference_hi(0.0), reference_tilt(0.0), current_strain(0.0), current_stress(0.0),
    last_box{}, last_box_known(0), stress(nullptr), volume_compute(nullptr), volume_column(0), volume_constant(0.0),
    store(nullptr), destroying(0), peratom_checked(0), peratom_cycle_valid(1), orphan_outputs(nullptr),
    orphan_nmax(0), fit(1)
{
  const char *usage = "fix ID group dms AXIS amplitude EA period TW [pressure ID] [every n] [harmonics 1|3] "
                      "[discard K] [peratom STRESS-ID [volume V|c_ID|c_ID[k]]]";
  if (narg < 8) error->all(FLERR, "Illegal fix dms command: usage: {}", usage);
  int found = -1;
  for (int k = 0; k < 6; k++)
    if (strcmp(arg[3], AXIS_NAMES[k]) == 0) found = k;
  if (found < 0) error->all(FLERR, "Fix dms: unknown axis '{}'; allowed: x, y, z (uniaxial) or xy, xz, yz (shear)", arg[3]);
  axis = found;
  // Atoms entering or leaving a dynamic group would follow the strain for part of a cycle only.
  if (group->dynamic[igroup])
    error->all(FLERR, "Fix dms cannot use the dynamic group {}: the atoms that follow the strain must not change",
               group->names[igroup]);
  // In 2d there is no z extent to strain and no z tilt.
  if (domain->dimension == 2 && (axis == Z || axis == XZ || axis == YZ))
    error->all(FLERR, "Fix dms: axis {} does not exist in a 2d simulation; allowed in 2d: x, y (uniaxial) or xy "
               "(shear)", arg[3]);
  if (axis >= YZ && !domain->triclinic)
    error->all(FLERR, "Fix dms: shear axis {} needs a triclinic box (create the box with a tilt, or use change_box "
               "all triclinic)", arg[3]);
  if (strcmp(arg[4], "amplitude") != 0) error->all(FLERR, "Fix dms: expected 'amplitude EA' after the axis; usage: {}", usage);
  amplitude = utils::numeric(FLERR, arg[5], false, lmp);
  // Values are checked once, by CycleFitOptions::validate(); amplitude first, since the
  // volume check below divides by it.
  check_fit_options(false);
  if (amplitude < MIN_AMPLITUDE)
    error->all(FLERR, "Fix dms amplitude: EA = {} is below {}: the box would change by less than the precision of "
               "its coordinates and the moduli would be noise divided by EA", arg[5], MIN_AMPLITUDE);
  if (strcmp(arg[6], "period") != 0) error->all(FLERR, "Fix dms: expected 'period TW' after the amplitude; usage: {}", usage);
  period = utils::numeric(FLERR, arg[7], false, lmp);
  check_fit_options(true);

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
      check_fit_options(true);
    } else if (keyword == "discard") {
      discard = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      check_fit_options(true);
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
        if (!std::isfinite(1.0 / (amplitude * volume_constant)))
          error->all(FLERR, "Fix dms volume: V = {} is so small that 1/(EA V) overflows; give the volume in volume "
                     "units", value);
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
    // LAMMPS expands `f_ID[*]` in per-atom commands to the global array's columns when a fix
    // has one (utils::expand_args, mode 1); fewer per-atom columns end in an out-of-range
    // error that LAMMPS reports by reading past the input line (a segfault). Keep them equal.
    static_assert(int(NPERATOMOUTPUTS) == int(NCYCLECOLUMNS), "f_ID[*] expands per-atom to the array's columns");
    peratom_flag = 1;
    size_peratom_cols = NPERATOMOUTPUTS;
    peratom_freq = 1;
    // Only to keep NaN rows valid if a user deletes the store (see store_deleted()).
    atom->add_callback(Atom::GROW);
  }
}

FixDMS::~FixDMS()
{
  destroying = 1;
  if (store && modify->nfix && modify->get_fix_by_id(store_id) == store) modify->delete_fix(store_id);
  if (!stress_id.empty()) atom->delete_callback(id, Atom::GROW);
  memory->destroy(orphan_outputs);
}

void FixDMS::store_deleted()
{
  store = nullptr;
  if (destroying) return;
  // A user's `unfix` of the store. LAMMPS reads per-atom outputs of a fix without asking it, so
  // the rows must stay valid: they read NaN. New references are refused by LAMMPS (no per-atom
  // output any more); the next run stops in init() with an error.
  peratom_flag = 0;
  grow_arrays(atom->nmax);
  if (comm->me == 0)
    error->warning(FLERR, "Fix dms {}: its internal fix {} was deleted: the per-atom outputs of fix {} read NaN "
                   "from now on and the next run stops; unfix {} and define it again", id, store_id, id, id);
}

void FixDMS::grow_arrays(int nmax)
{
  if (store || destroying || nmax <= orphan_nmax) return;
  memory->grow(orphan_outputs, nmax, int(NPERATOMOUTPUTS), "fix_dms:orphan_outputs");
  for (int i = orphan_nmax; i < nmax; i++)
    std::fill(orphan_outputs[i], orphan_outputs[i] + NPERATOMOUTPUTS, std::numeric_limits<double>::quiet_NaN());
  orphan_nmax = nmax;
  array_atom = orphan_outputs;
}

void FixDMS::post_constructor()
{
  if (stress_id.empty()) return;
  // Per-atom running sums migrate with atoms and survive restarts in the shared store.
  store_id = std::string(id) + "_GLASSDYN_DMS_ATOM";
  modify->add_fix(fmt::format("{} {} GLASSDYN/WINDOW {}", store_id, group->names[igroup], RHS0 + int(fit.basis_size())));
  store = dynamic_cast<FixWindowStore *>(modify->get_fix_by_id(store_id));
  if (!store) error->all(FLERR, "Fix dms {}: its internal fix {} is missing", id, store_id);
  attach_peratom();
}

void FixDMS::attach_peratom()
{
  // Only the very store this fix created holds its sums: after an `unfix`, a fix with the same
  // ID (even of style GLASSDYN/WINDOW, even with the right width) is someone else's.
  Fix *current = modify->get_fix_by_id(store_id);
  if (!current)
    error->all(FLERR, "Fix dms {}: its internal fix {} is missing: it was deleted; unfix {} and define it again", id,
               store_id, id);
  if (!store || current != store)
    error->all(FLERR, "Fix dms {}: its internal fix {} was deleted and replaced by a fix of style {} that holds none "
               "of its data; unfix {} and define it again", id, store_id, current->style, id);
  store->attach(this);
  array_atom = store->values();    // its first NPERATOMOUTPUTS columns are the outputs
}

int FixDMS::setmask()
{
  return POST_INTEGRATE | END_OF_STEP;
}

void FixDMS::init()
{
  pressure = modify->get_compute_by_id(pressure_id);
  if (!pressure) error->all(FLERR, "Fix dms pressure: no compute with ID {}", pressure_id);
  // A rerun reads the box of every frame from the dump: this fix would deform it and then see
  // every frame as a timestep jump.
  const char *command = glassdyn_compat::input_command(input);
  if (command && strcmp(command, "rerun") == 0)
    error->all(FLERR, "Fix dms {}: cannot be used with rerun (the box comes from the dump frames); unfix {} before the "
               "rerun", id, id);
  check_axis_periodic();
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
  if (!(steps <= MAX_STEPS_PER_CYCLE))
    error->all(FLERR, "Fix dms period: TW = {} is {} steps of {}, more than 2^52 steps", period, steps, update->dt);
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

  // With no atom following the box, the stress would not respond to the strain at all.
  if (group->count(igroup) == 0)
    error->all(FLERR, "Fix dms {}: group {} has no atoms; the atoms of the group follow the strain", id,
               group->names[igroup]);

  // The measured modulus assumes every other box length and tilt stays fixed.
  for (auto *other : modify->get_fix_list())
    if (other != this && (other->box_change & (BOX_CHANGE_SIZE | BOX_CHANGE_SHAPE)))
      error->all(FLERR, "Fix dms: fix {} (style {}) also changes the box; the box must stay fixed apart from the "
                 "strain along {} (use a thermostat without barostat)", other->id, other->style, AXIS_NAMES[axis]);
}

void FixDMS::check_axis_periodic() const
{
  // Along a non-periodic dimension the stress does not follow the box (a free or walled surface
  // carries no load), so no modulus can be measured: the strained dimensions must be periodic.
  const int first = axis <= Z ? axis : TILT_DIMS[axis - YZ][0];
  const int second = axis <= Z ? axis : TILT_DIMS[axis - YZ][1];
  for (int dim : {first, second})
    if (!domain->periodicity[dim])
      error->all(FLERR, "Fix dms: axis {} needs a periodic box along {} (boundary p), but it is {}{}; a non-periodic "
                 "boundary does not carry the strain", AXIS_NAMES[axis], DIM_NAMES[dim],
                 "pfsm"[domain->boundary[dim][0]], "pfsm"[domain->boundary[dim][1]]);
}

void FixDMS::record_box()
{
  for (int k = 0; k < 3; k++) {
    last_box[k] = domain->boxlo[k];
    last_box[3 + k] = domain->boxhi[k];
  }
  last_box[6] = domain->xy;
  last_box[7] = domain->xz;
  last_box[8] = domain->yz;
  last_box_known = 1;
}

void FixDMS::check_box_unchanged() const
{
  // The strain axis is re-imposed at setup, so a change_box (or read_dump ... box yes, replicate)
  // there would be silently undone while the others kept: refuse any change this fix did not make.
  if (!last_box_known) return;
  const double now[9] = {domain->boxlo[0], domain->boxlo[1], domain->boxlo[2], domain->boxhi[0], domain->boxhi[1],
                         domain->boxhi[2], domain->xy, domain->xz, domain->yz};
  const double scale = std::max({domain->xprd, domain->yprd, domain->zprd, 1e-300});
  for (int k = 0; k < 9; k++) {
    // Shrink-wrapped faces follow the atoms by design.
    if (k < 6 && domain->boundary[k % 3][k / 3] >= 2) continue;
    if (std::fabs(now[k] - last_box[k]) > 1e-12 * scale)
      error->all(FLERR, "Fix dms {}: the box was changed since its last run, not by this fix ({} = {} was {}); an "
                 "oscillation cannot continue in another box: unfix {} and define it again to start a new one from "
                 "this box", id, BOX_VALUE_NAMES[k], now[k], last_box[k], id);
  }
}

void FixDMS::post_run()
{
  record_box();
}

void FixDMS::check_timestep_jump()
{
  const bigint now = update->ntimestep;
  if (last_sampled < 0) return;
  if (now < last_sampled)
    error->all(FLERR, "Fix dms {}: the timestep was set back from {} to {} during the oscillation, so its cycles "
               "would be sampled twice; for a new oscillation unfix {} and define it again", id, last_sampled, now,
               id);
  if (now > last_sampled + every) {
    // A forward jump (minimize, reset_timestep) skipped sampling steps: the open cycle misses samples.
    open_cycle_valid = 0;
    if (comm->me == 0)
      error->warning(FLERR, "Fix dms {}: the timestep jumped from {} to {} outside a run; the open cycle is dropped "
                     "and the next complete cycle starts at step {}", id, last_sampled, now, next_window_start(now));
  }
}

void FixDMS::setup(int /*vflag*/)
{
  if (started) check_box_unchanged();
  if (store && !peratom_checked) {
    // An oscillation continued from a restart written without `peratom`: the per-atom sums start
    // now, in the middle of the open cycle, so that cycle cannot give per-atom terms.
    peratom_checked = 1;
    const bigint into = update->ntimestep - step_start;
    if (started && !store->restored() && into % steps_per_cycle != 0) {
      peratom_cycle_valid = 0;
      if (comm->me == 0)
        error->warning(FLERR, "Fix dms {}: the restart file holds no per-atom sums of the open cycle (written without "
                       "peratom); per-atom terms start with the cycle at step {}", id, next_window_start(update->ntimestep));
    }
  }
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
  check_timestep_jump();
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

static bool usable_volume(double v, double amplitude)
{
  return v > 0.0 && std::isfinite(v) && std::isfinite(1.0 / (amplitude * v));
}

void FixDMS::check_atom_volumes()
{
  // Checked once per cycle on all ranks together: a zero, negative or non-finite volume would give
  // inf/NaN moduli. Every rank stops with the same message (the smallest offending atom ID), so no
  // rank aborts alone and the ERROR line cannot be lost in a race between aborting ranks.
  if (!volume_compute) return;
  tagint bad_local = std::numeric_limits<tagint>::max();
  double bad_value = 0.0;
  for (int i = 0; i < atom->nlocal; i++)
    if ((atom->mask[i] & groupbit) && atom->tag[i] < bad_local && !usable_volume(atom_volume(i), amplitude)) {
      bad_local = atom->tag[i];
      bad_value = atom_volume(i);
    }
  tagint bad = bad_local;
  MPI_Allreduce(&bad_local, &bad, 1, MPI_LMP_TAGINT, MPI_MIN, world);
  if (bad == std::numeric_limits<tagint>::max()) return;
  // Only the owner of that atom contributes its value; 0 elsewhere keeps NaN and inf intact.
  double mine = (bad_local == bad) ? bad_value : 0.0, value = 0.0;
  MPI_Allreduce(&mine, &value, 1, MPI_DOUBLE, MPI_SUM, world);
  error->all(FLERR, "Fix dms {} volume: compute {} gives atom {} the volume {}; per-atom moduli need a finite "
             "volume > 0 (with 1/(EA V) finite) for every atom of the group", id, volume_id, bad, value);
}

void FixDMS::finish_peratom_cycle(bool counted)
{
  if (volume_compute && volume_compute->invoked_peratom != update->ntimestep) volume_compute->compute_peratom();
  if (counted) check_atom_volumes();
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
        const double old_storage = v[MEAN_STORAGE], old_loss = v[MEAN_LOSS];
        v[SUM_STORAGE] += v[LAST_STORAGE];
        v[SUM_LOSS] += v[LAST_LOSS];
        v[N_USED] += 1.0;
        v[MEAN_STORAGE] = v[SUM_STORAGE] / v[N_USED];
        v[MEAN_LOSS] = v[SUM_LOSS] / v[N_USED];
        // Welford's update of the sums of squared deviations: no cancellation of large squares.
        v[M2_STORAGE] += (v[LAST_STORAGE] - old_storage) * (v[LAST_STORAGE] - v[MEAN_STORAGE]);
        v[M2_LOSS] += (v[LAST_LOSS] - old_loss) * (v[LAST_LOSS] - v[MEAN_LOSS]);
        const double m = v[N_USED];
        v[STD_STORAGE] = m > 1.0 ? std::sqrt(std::max(0.0, v[M2_STORAGE] / (m - 1.0))) : 0.0;
        v[STD_LOSS] = m > 1.0 ? std::sqrt(std::max(0.0, v[M2_LOSS] / (m - 1.0))) : 0.0;
      }
    }
    for (size_t j = 0; j < n; j++) v[RHS0 + j] = 0.0;
  }
  array_atom = values;
}

void FixDMS::finish_cycle()
{
  if (open_cycle_valid) cycles.push_back(glassdyn::cycle_moduli(fit.solve(rhs.data()), amplitude));
  if (stress) finish_peratom_cycle(open_cycle_valid != 0 && peratom_cycle_valid != 0);
  open_cycle_valid = 1;
  peratom_cycle_valid = 1;
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

bigint FixDMS::next_window_start(bigint step) const
{
  // Not started yet: this fix is set up after the asking store (it was defined after it), so
  // the oscillation starts at `step` and the store sees its first cycle start one cycle later.
  if (!started) return step + steps_per_cycle;
  if (step <= step_start) return step_start;
  const bigint into = step - step_start;
  return step_start + ((into + steps_per_cycle - 1) / steps_per_cycle) * steps_per_cycle;
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
  // The box this fix left: during a run the current one; between runs the one at the end of the
  // last run (a change made since then is refused when the oscillation continues).
  const bool in_run = update->whichflag != 0 || !last_box_known;
  const double current[9] = {domain->boxlo[0], domain->boxlo[1], domain->boxlo[2], domain->boxhi[0],
                             domain->boxhi[1], domain->boxhi[2], domain->xy, domain->xz, domain->yz};
  state.insert(state.end(), in_run ? current : last_box, (in_run ? current : last_box) + 9);
  if (comm->me == 0) {
    int size = int(state.size() * sizeof(double));
    fwrite(&size, sizeof(int), 1, fp);
    fwrite(state.data(), sizeof(double), state.size(), fp);
  }
}

void FixDMS::restart(char *buf)
{
  auto *state = reinterpret_cast<double *>(buf);
  const bool has_box = state[0] == RESTART_FORMAT;
  if (!has_box && state[0] != RESTART_FORMAT_NO_BOX)
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
  // The box this oscillation left; a change made after read_restart is refused at the next run.
  if (has_box) {
    m += fit.basis_size();
    std::copy_n(state + m, 9, last_box);
    last_box_known = 1;
  } else {
    record_box();
  }
}
