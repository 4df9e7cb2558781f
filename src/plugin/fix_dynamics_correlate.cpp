#include "fix_dynamics_correlate.h"

#include "mpi_communicator.h"
#include "schema/correlations.hpp"

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "memory.h"
#include "modify.h"
#include "update.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>

using namespace LAMMPS_NS;
using namespace FixConst;

namespace {
namespace layout = glassdyn::schema::correlations;

const char *const USAGE = "fix ID group dynamics/correlate every N origins K lags (L1 L2 ... | log MIN MAX COUNT) "
                          "q Q [overlap a] [drift yes|no]";

// Marks the layout of the global restart record, so a foreign or corrupt record is refused.
constexpr double RESTART_FORMAT = 20261130.1;

bool is_integer(const char *text)
{
  if (!*text) return false;
  for (const char *c = text; *c; ++c)
    if (*c < '0' || *c > '9') return false;
  return true;
}
}    // namespace

FixDynamicsCorrelate::FixDynamicsCorrelate(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), ntypes(atom->ntypes), ncolumns(0), nmax_store(0), per_atom(nullptr), last_done(-1),
    next_event(0), table_width(0)
{
  bool have_every = false, have_origins = false, have_lags = false, have_q = false;
  int iarg = 3;
  while (iarg < narg) {
    const std::string keyword = arg[iarg];
    if (iarg + 1 >= narg) utils::missing_cmd_args(FLERR, "fix dynamics/correlate " + keyword, error);
    if (keyword == "every") {
      options.every = utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
      have_every = true;
      iarg += 2;
    } else if (keyword == "origins") {
      options.origins = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      have_origins = true;
      iarg += 2;
    } else if (keyword == "lags") {
      options.lags.clear();
      if (strcmp(arg[iarg + 1], "log") == 0) {
        if (iarg + 4 >= narg) utils::missing_cmd_args(FLERR, "fix dynamics/correlate lags log", error);
        try {
          options.lags = glassdyn::log_spaced_lags(utils::bnumeric(FLERR, arg[iarg + 2], false, lmp),
                                                   utils::bnumeric(FLERR, arg[iarg + 3], false, lmp),
                                                   utils::inumeric(FLERR, arg[iarg + 4], false, lmp));
        } catch (std::invalid_argument &e) {
          error->all(FLERR, "Fix dynamics/correlate {}", e.what());
        }
        iarg += 5;
      } else {
        iarg++;
        while (iarg < narg && is_integer(arg[iarg])) options.lags.push_back(utils::bnumeric(FLERR, arg[iarg++], false, lmp));
        if (options.lags.empty())
          error->all(FLERR, "Fix dynamics/correlate lags: expected lags in steps (L1 L2 ...) or 'log MIN MAX COUNT', "
                     "got '{}'", arg[iarg]);
      }
      have_lags = true;
    } else if (keyword == "q") {
      options.q = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      have_q = true;
      iarg += 2;
    } else if (keyword == "overlap") {
      options.overlap = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      if (!(options.overlap > 0.0))
        error->all(FLERR, "Fix dynamics/correlate overlap: a must be a finite distance > 0, got {}", arg[iarg + 1]);
      iarg += 2;
    } else if (keyword == "drift") {
      options.remove_drift = utils::logical(FLERR, arg[iarg + 1], false, lmp) != 0;
      iarg += 2;
    } else {
      error->all(FLERR, "Fix dynamics/correlate: unknown keyword '{}'; allowed: every, origins, lags, q, overlap, "
                 "drift; usage: {}", keyword, USAGE);
    }
  }
  if (!have_every || !have_origins || !have_lags || !have_q)
    error->all(FLERR, "Fix dynamics/correlate: the keywords every, origins, lags and q are required; usage: {}",
               USAGE);
  try {
    options.validate();
    correlations = std::make_unique<glassdyn::TimeCorrelations>(options, ntypes);
  } catch (std::invalid_argument &e) {
    error->all(FLERR, "Fix dynamics/correlate {}", e.what());
  }

  // Events fall on origin steps (multiples of `every`) plus lags: all multiples of this.
  bigint spacing = options.every;
  for (bigint lag : options.lags) spacing = std::gcd(spacing, lag);
  nevery = spacing > MAXSMALLINT ? 1 : int(spacing);
  slots.assign(size_t(options.origins), Origin());
  ncolumns = FIRST_ORIGIN + 3 * options.origins;

  table_width = layout::array.width(correlations->sets());
  array_flag = 1;
  size_array_rows = correlations->lags();
  size_array_cols = table_width;
  vector_flag = 1;
  size_vector = layout::vector.width(correlations->sets());
  extarray = extvector = 0;
  global_freq = 1;    // the outputs hold the totals so far at any step
  restart_global = 1;
  restart_peratom = 1;
  create_attribute = 1;    // atoms made by create_atoms, fix deposit, ... join later origins only
  maxexchange = ncolumns;
  refresh_outputs();

  grow_arrays(atom->nmax);
  atom->add_callback(Atom::GROW);
  atom->add_callback(Atom::RESTART);
  for (int i = 0; i < atom->nlocal; i++) {
    for (int k = 0; k < ncolumns; k++) per_atom[i][k] = 0.0;
    per_atom[i][BIRTH] = -1.0;    // present from the start: part of every origin
  }
}

FixDynamicsCorrelate::~FixDynamicsCorrelate()
{
  atom->delete_callback(id, Atom::GROW);
  atom->delete_callback(id, Atom::RESTART);
  memory->destroy(per_atom);
}

int FixDynamicsCorrelate::setmask()
{
  return END_OF_STEP;
}

void FixDynamicsCorrelate::init()
{
  // fix dms deforms the box sinusoidally: every atom then moves affinely by up to the strain
  // amplitude times the box length, at a phase that differs from origin to origin. Removing
  // that exactly would need the box of every origin and a choice of what "affine" means for a
  // finite, periodic strain history; a relaxation is measured in an unstrained run instead.
  if (!modify->get_fix_by_style("^dms$").empty())
    error->all(FLERR, "Fix dynamics/correlate {} cannot run together with fix dms: the oscillatory strain moves "
               "every atom affinely at a phase that differs between origins, which the displacement statistics "
               "would count as motion; measure relaxation in a separate run without fix dms (NVT, no strain)", id);
  if (atom->ntypes != ntypes)
    error->all(FLERR, "Fix dynamics/correlate {}: the number of atom types changed from {} to {}", id, ntypes,
               atom->ntypes);
}

void FixDynamicsCorrelate::setup(int /*vflag*/)
{
  const bigint now = update->ntimestep;
  // A step processed already (the end of the previous run, or the step a restart file was
  // written at, after that step's end_of_step) is not processed twice.
  if (now != last_done) process(now);
  else schedule();
  refresh_outputs();
}

void FixDynamicsCorrelate::end_of_step()
{
  const bigint now = update->ntimestep;
  if (now < next_event) return;    // nothing starts or reaches a lag before next_event
  process(now);
}

void FixDynamicsCorrelate::process(bigint now)
{
  // Live origins oldest first: the same order on every rank and in the offline twin.
  std::vector<Origin *> live;
  for (Origin &o : slots)
    if (o.start >= 0) live.push_back(&o);
  std::sort(live.begin(), live.end(), [](const Origin *a, const Origin *b) { return a->start < b->start; });

  std::vector<double> current;
  bool evaluated = false;
  for (Origin *o : live) {
    if (now < o->start) {
      discard_origin(*o, fmt::format("the step {} precedes its start (reset_timestep?)", now));
      continue;
    }
    const bigint due = o->start + options.lags[size_t(o->next_lag)];
    if (due < now) {
      discard_origin(*o, fmt::format("no step of the run fell on its lag of {} steps (step {}); this is step {}",
                                     options.lags[size_t(o->next_lag)], due, now));
      continue;
    }
    if (due > now) continue;
    if (current.empty()) {
      // Unwrapped positions of the owned atoms, once per step.
      const int nlocal = atom->nlocal;
      current.resize(3 * size_t(nlocal) + 3);    // never empty, even on a rank without atoms
      for (int i = 0; i < nlocal; i++) domain->unmap(atom->x[i], atom->image[i], &current[3 * size_t(i)]);
    }
    evaluate(*o, o->next_lag, current);
    evaluated = true;
    if (++o->next_lag == correlations->lags()) *o = Origin();    // done: the slot is free
  }
  if (now % options.every == 0) start_origin(now);
  last_done = now;
  schedule();
  if (evaluated) refresh_outputs();
}

void FixDynamicsCorrelate::start_origin(bigint now)
{
  for (const Origin &o : slots)
    if (o.start == now) return;
  auto free_slot = std::find_if(slots.begin(), slots.end(), [](const Origin &o) { return o.start < 0; });
  // validate() guarantees a free slot (longest lag <= origins x every); a slot is only busy
  // past that after a discarded schedule, and then this origin is skipped.
  if (free_slot == slots.end()) return;
  const int k = int(free_slot - slots.begin());
  free_slot->start = now;
  free_slot->next_lag = 0;
  double **x = atom->x;
  imageint *image = atom->image;
  for (int i = 0; i < atom->nlocal; i++) domain->unmap(x[i], image[i], &per_atom[i][FIRST_ORIGIN + 3 * k]);
}

void FixDynamicsCorrelate::evaluate(const Origin &origin, int lag_index, const std::vector<double> &current)
{
  const int k = int(&origin - slots.data());
  const int nlocal = atom->nlocal;
  std::vector<double> reference(3 * size_t(nlocal) + 3), mass(size_t(nlocal) + 1);
  std::vector<char> in_group(size_t(nlocal) + 1, 0);
  for (int i = 0; i < nlocal; i++) {
    std::memcpy(&reference[3 * size_t(i)], &per_atom[i][FIRST_ORIGIN + 3 * k], 3 * sizeof(double));
    mass[size_t(i)] = atom->rmass ? atom->rmass[i] : atom->mass[atom->type[i]];
    in_group[size_t(i)] = (atom->mask[i] & groupbit) && per_atom[i][BIRTH] < double(origin.start);
  }
  try {
    const MpiCommunicator comm(world);
    const std::vector<double> sample = glassdyn::correlation_sample(
        reference.data(), current.data(), atom->type, mass.data(), in_group.data(), size_t(nlocal), ntypes, options,
        comm);
    correlations->add(lag_index, sample);
  } catch (std::exception &e) {
    error->one(FLERR, "Fix dynamics/correlate {}: {}", id, e.what());
  }
}

void FixDynamicsCorrelate::discard_origin(Origin &origin, const std::string &reason)
{
  if (comm->me == 0)
    error->warning(FLERR, "Fix dynamics/correlate {}: the origin of step {} is dropped after {} of its {} lags: {}",
                   id, origin.start, origin.next_lag, correlations->lags(), reason);
  origin = Origin();
}

void FixDynamicsCorrelate::schedule()
{
  const bigint now = update->ntimestep;
  next_event = (now / options.every + 1) * options.every;
  for (const Origin &o : slots)
    if (o.start >= 0) next_event = std::min(next_event, o.start + options.lags[size_t(o.next_lag)]);
}

void FixDynamicsCorrelate::refresh_outputs()
{
  table = correlations->table(update->dt);
  summary = correlations->summary(update->dt);
}

double FixDynamicsCorrelate::compute_vector(int n)
{
  return summary[size_t(n)];
}

double FixDynamicsCorrelate::compute_array(int row, int column)
{
  return table[size_t(row) * table_width + column];
}

void FixDynamicsCorrelate::grow_arrays(int nmax)
{
  memory->grow(per_atom, nmax, ncolumns, "dynamics/correlate:per_atom");
  nmax_store = nmax;
}

void FixDynamicsCorrelate::copy_arrays(int i, int j, int /*delflag*/)
{
  std::memcpy(per_atom[j], per_atom[i], sizeof(double) * ncolumns);
}

void FixDynamicsCorrelate::set_arrays(int i)
{
  for (int k = 0; k < ncolumns; k++) per_atom[i][k] = 0.0;
  // A new atom has no reference for origins that started up to now: it joins later ones.
  per_atom[i][BIRTH] = double(update->ntimestep) + 0.5;
}

int FixDynamicsCorrelate::pack_exchange(int i, double *buf)
{
  std::memcpy(buf, per_atom[i], sizeof(double) * ncolumns);
  return ncolumns;
}

int FixDynamicsCorrelate::unpack_exchange(int nlocal, double *buf)
{
  std::memcpy(per_atom[nlocal], buf, sizeof(double) * ncolumns);
  return ncolumns;
}

int FixDynamicsCorrelate::pack_restart(int i, double *buf)
{
  // The first value is the record length, as LAMMPS's per-atom restart format requires.
  buf[0] = ncolumns + 1;
  std::memcpy(buf + 1, per_atom[i], sizeof(double) * ncolumns);
  return ncolumns + 1;
}

void FixDynamicsCorrelate::unpack_restart(int nlocal, int nth)
{
  double **extra = atom->extra;
  int m = 0;
  for (int i = 0; i < nth; i++) m += static_cast<int>(extra[nlocal][m]);
  const int stored = static_cast<int>(extra[nlocal][m]) - 1;
  m++;
  if (stored != ncolumns)
    error->one(FLERR, "Fix dynamics/correlate {}: the restart file holds {} values per atom, expected {} (1 + 3 x "
               "origins): define the fix with the origins it was written with", id, stored, ncolumns);
  std::memcpy(per_atom[nlocal], &extra[nlocal][m], sizeof(double) * ncolumns);
}

int FixDynamicsCorrelate::size_restart(int /*nlocal*/)
{
  return ncolumns + 1;
}

int FixDynamicsCorrelate::maxsize_restart()
{
  return ncolumns + 1;
}

// Global record: format, the parameters that the totals depend on, the schedule, the totals.
void FixDynamicsCorrelate::write_restart(FILE *fp)
{
  std::vector<double> state = {RESTART_FORMAT,        double(options.every), double(options.origins),
                               double(options.q),     double(options.overlap), double(options.remove_drift),
                               double(ntypes),        double(last_done),     double(options.lags.size())};
  for (bigint lag : options.lags) state.push_back(double(lag));
  for (const Origin &o : slots) {
    state.push_back(double(o.start));
    state.push_back(double(o.next_lag));
  }
  state.insert(state.end(), correlations->totals().begin(), correlations->totals().end());
  if (comm->me == 0) {
    int size = int(state.size() * sizeof(double));
    fwrite(&size, sizeof(int), 1, fp);
    fwrite(state.data(), sizeof(double), state.size(), fp);
  }
}

void FixDynamicsCorrelate::restart(char *buf)
{
  auto *state = reinterpret_cast<double *>(buf);
  if (state[0] != RESTART_FORMAT)
    error->all(FLERR, "Fix dynamics/correlate {}: the restart file's record has an unknown layout (written by "
               "another glassdyn version?)", id);
  std::vector<bigint> lags;
  for (size_t k = 0; k < size_t(state[8]) && k <= size_t(glassdyn::CorrelationOptions::MAX_LAGS); ++k)
    lags.push_back(bigint(state[9 + k]));
  if (state[1] != double(options.every) || state[2] != double(options.origins) || state[3] != options.q ||
      state[4] != options.overlap || state[5] != double(options.remove_drift) || state[6] != double(ntypes) ||
      lags != options.lags)
    error->all(FLERR, "Fix dynamics/correlate {}: the restart file was written with other settings (every {}, "
               "origins {}, q {}, overlap {}, drift {}, {} types, {} lags); define the fix with the same every, "
               "origins, lags, q, overlap and drift to continue its origins", id, bigint(state[1]), int(state[2]),
               state[3], state[4], state[5] != 0.0 ? "yes" : "no", int(state[6]), int(state[8]));
  last_done = bigint(state[7]);
  const double *p = state + 9 + lags.size();
  for (Origin &o : slots) {
    o.start = bigint(*p++);
    o.next_lag = int(*p++);
  }
  correlations->set_totals(std::vector<double>(p, p + correlations->totals().size()));
  refresh_outputs();
}

double FixDynamicsCorrelate::memory_usage()
{
  return double(nmax_store) * ncolumns * sizeof(double) + double(correlations->totals().size()) * sizeof(double);
}
