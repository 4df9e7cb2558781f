#include "fix_window_store.h"

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "memory.h"

#include <cstring>

using namespace LAMMPS_NS;
using namespace FixConst;

namespace {
constexpr int MAX_COLUMNS = 10000;
}

// Syntax (issued by the owning style): fix ID group GLASSDYN/WINDOW ncolumns

FixWindowStore::FixWindowStore(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), nmax_store(0), per_atom(nullptr), owner(nullptr), restored_flag(0)
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
  return 0;    // a container: no per-step work
}

void FixWindowStore::init()
{
  if (!owner) error->all(FLERR, "Fix {} has no owning glassdyn style", id);
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
  if (owner) owner->atom_created(i);
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
// Marks the layout of the global restart record, so a foreign or corrupt record is refused:
// {RESTART_FORMAT, n, n owner values}.
constexpr double RESTART_FORMAT = 20261130.1;
// The record of glassdyn before the store and the window schedule were separated:
// {FORMAT, window open, window start step, n, n saved results}. Read as the owner values
// {window open, window start step, saved results...}, which is what a windowed compute keeps.
constexpr double RESTART_FORMAT_WITH_SCHEDULE = 20251122.1;
constexpr size_t MAX_OWNER_VALUES = 10000000;
}    // namespace

void FixWindowStore::write_restart(FILE *fp)
{
  const std::vector<double> values = owner ? owner->restart_state() : std::vector<double>();
  std::vector<double> state = {RESTART_FORMAT, double(values.size())};
  state.insert(state.end(), values.begin(), values.end());
  if (comm->me == 0) {
    int size = int(state.size() * sizeof(double));
    fwrite(&size, sizeof(int), 1, fp);
    fwrite(state.data(), sizeof(double), state.size(), fp);
  }
}

void FixWindowStore::restart(char *buf)
{
  auto *state = reinterpret_cast<double *>(buf);
  if (state[0] == RESTART_FORMAT && state[1] >= 0.0 && state[1] <= double(MAX_OWNER_VALUES)) {
    owner_state.assign(state + 2, state + 2 + static_cast<size_t>(state[1]));
  } else if (state[0] == RESTART_FORMAT_WITH_SCHEDULE && state[3] >= 0.0 && state[3] <= double(MAX_OWNER_VALUES)) {
    owner_state.assign(state + 1, state + 3);
    owner_state.insert(owner_state.end(), state + 4, state + 4 + static_cast<size_t>(state[3]));
  } else {
    error->all(FLERR, "Fix {}: the restart file's store record has an unknown layout (written by another glassdyn "
               "version?)", id);
  }
  restored_flag = 1;
}

double FixWindowStore::memory_usage()
{
  return (double(nmax_store) * ncolumns + double(owner_state.capacity())) * sizeof(double);
}
