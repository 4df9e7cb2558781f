#include "compute_cage_atom.h"

#include "fix_window_store.h"
#include "mpi_communicator.h"
#include "neighbour_snapshot.h"

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "exceptions.h"
#include "group.h"
#include "neighbor.h"
#include "memory.h"
#include "update.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>

using namespace LAMMPS_NS;

namespace {
// Per-atom output (src/core/schema/cages.hpp): three stored results, then two values derived
// from them.
namespace peratom_layout = glassdyn::schema::cages;
enum OutputColumn {
  OUT_NCAGE = peratom_layout::peratom.index("n_cage"),
  OUT_NLOST = peratom_layout::peratom.index("n_lost"),
  OUT_BROKEN = peratom_layout::peratom.index("broken"),
  NOUTPUTS = 3,    // stored columns
  OUT_ANALYSED = peratom_layout::peratom.index("analysed"),
  OUT_FRACTION_LOST = peratom_layout::peratom.index("fraction_lost"),
  NOUTPUTCOLUMNS = peratom_layout::peratom.size()
};
static_assert(OUT_NCAGE < NOUTPUTS && OUT_NLOST < NOUTPUTS && OUT_BROKEN < NOUTPUTS && OUT_ANALYSED == NOUTPUTS &&
                  OUT_FRACTION_LOST == NOUTPUTS + 1,
              "stored columns first, derived ones after them");
constexpr int DEFAULT_MAXCAGE = 32;
}    // namespace

ComputeCageAtom::ComputeCageAtom(LAMMPS *lmp, int narg, char **arg) :
    WindowedCompute(lmp, narg, arg), maxcage(DEFAULT_MAXCAGE)
{
  parse_arguments(narg, arg);
  uses_neighbour_snapshots = true;

  static_assert(int(NOUTPUTCOLUMNS) == int(NTYPECOLUMNS), "c_ID[*] expands per-atom to the global array's columns");
  create_outputs(NGLOBAL, atom->ntypes, NTYPECOLUMNS, NOUTPUTS, output_column(0));
  for (int r = 0; r < atom->ntypes; r++) global_table[r][TYPE] = r + 1;
  // One window's reference: the cage size and members (copied per origin with `origins K`).
  create_store(1 + maxcage + NOUTPUTS, 1 + maxcage);
}

void ComputeCageAtom::parse_arguments(int narg, char **arg)
{
  if (narg < 5 || strcmp(arg[3], "cutoff") != 0)
    error->all(FLERR, "Illegal compute cage/atom command: the first argument must be 'cutoff RC'; usage: compute ID "
               "group cage/atom cutoff RC [window N [origins K] | sync FIX-ID] [keyword value ...]");
  // Only the syntax is checked here; the values are checked once, by CageOptions::validate().
  options.cutoff = glassdyn::PairTable(atom->ntypes, utils::numeric(FLERR, arg[4], false, lmp));

  int iarg = 5;
  while (iarg < narg) {
    if (const int used = parse_window_keyword(narg, arg, iarg)) {
      iarg += used;
      continue;
    }
    const std::string keyword = arg[iarg];
    auto need = [&](int nvalues) {
      if (iarg + nvalues >= narg) utils::missing_cmd_args(FLERR, "compute cage/atom " + keyword, error);
    };
    if (keyword == "cutoff/pair") {
      iarg += parse_pair_distance(narg, arg, iarg, options.cutoff);
    } else if (keyword == "hysteresis") {
      need(1);
      options.hysteresis = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else if (keyword == "nlost") {
      need(1);
      options.nlost = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else if (keyword == "maxcage") {
      need(1);
      maxcage = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      if (maxcage < 1 || maxcage > 1000)
        error->all(FLERR, "Compute cage/atom maxcage: M must be an integer in 1..1000, got {}", arg[iarg + 1]);
      iarg += 2;
    } else {
      error->all(FLERR, "Compute cage/atom: unknown keyword '{}'; allowed: cutoff/pair, hysteresis, nlost, maxcage, "
                 "window, origins, sync", keyword);
    }
  }
  validate_options(options);
  // A cage holds at most maxcage neighbours, so more losses could never break it (C = 0 always).
  if (options.nlost > maxcage)
    error->all(FLERR, "Compute cage/atom nlost: N = {} exceeds maxcage = {}, so no cage could break; lower nlost or "
               "raise maxcage", options.nlost, maxcage);
}

void ComputeCageAtom::init()
{
  WindowedCompute::init();
  // Lost neighbours are judged from ghost atoms out to RC (1 + h), which assumes one
  // communication cutoff for all atoms.
  if (comm->mode != Comm::SINGLE)
    error->all(FLERR, "{} requires comm_modify mode single (per-type ghost cutoffs could hide cage neighbours)",
               style_label);
  if (!neighbor->dist_check && neighbor->every > 1 && comm->me == 0)
    error->warning(FLERR, "{}: with 'neigh_modify every {} check no' atoms may move more than half the skin "
                   "between reneighborings, so cage neighbours near the ghost cutoff can be missed", style_label,
                   neighbor->every);
}

bool ComputeCageAtom::may_neighbour_owned(const double *x) const
{
  // Ghost atoms farther than the loss distance from every owned atom can neither join a cage
  // nor keep one (an absent neighbour counts as lost, as one beyond the loss distance does),
  // so they are skipped: the ghost shell of a long-ranged potential is much thicker than a
  // cage. Owned atoms may lie up to half a skin outside their subdomain between
  // reneighborings; the margin adds a whole skin. Triclinic subdomains are not filtered.
  if (domain->triclinic) return true;
  const double margin = options.loss_distance() + neighbor->skin;
  for (int k = 0; k < 3; k++)
    if (x[k] < domain->sublo[k] - margin || x[k] > domain->subhi[k] + margin) return false;
  return true;
}

double ComputeCageAtom::guaranteed_ghost_reach() const
{
  // Atoms drift up to half a skin each between reneighborings, so a pair closer than the
  // communication cutoff minus the skin is always present on the rank that owns one of them.
  return comm->get_comm_cutoff() - neighbor->skin;
}

double ComputeCageAtom::suggested_comm_cutoff(double reach) const
{
  const double needed = (reach + neighbor->skin) * 1.05;
  const double scale = std::pow(10.0, std::floor(std::log10(needed)) - 2.0);
  return std::ceil(needed / scale) * scale;
}

void ComputeCageAtom::setup()
{
  // Here, not in init(): LAMMPS sets the communication cutoff after initialising computes,
  // and this runs before the window store's setup can record the first cages.
  // A lost neighbour may be judged by its absence only if every atom within the loss
  // distance is guaranteed to be present as a local or ghost atom.
  const double loss_distance = options.loss_distance();
  if (loss_distance > guaranteed_ghost_reach())
    error->all(FLERR,
               "Compute cage/atom: cutoff x (1 + hysteresis) = {:.4g} exceeds the guaranteed ghost-atom reach {:.4g} "
               "(communication cutoff minus skin); use 'comm_modify cutoff {:.4g}' or a smaller cutoff",
               loss_distance, guaranteed_ghost_reach(), suggested_comm_cutoff(loss_distance));
  // One neighbour must not enter a cage twice through two periodic images.
  const double width = smallest_periodic_width();
  if (2.0 * loss_distance > width)
    error->all(FLERR, "Compute cage/atom: twice cutoff x (1 + hysteresis) = {:.4g} exceeds the smallest periodic box "
               "width {:.4g}; use a larger box or a smaller cutoff", 2.0 * loss_distance, width);
}

double ComputeCageAtom::smallest_periodic_width() const
{
  // Distance between opposite faces along each periodic direction of the (tilted) box.
  const double *h = domain->h;    // xprd, yprd, zprd, yz, xz, xy
  const double a[3] = {h[0], 0.0, 0.0}, b[3] = {h[5], h[1], 0.0}, c[3] = {h[4], h[3], h[2]};
  auto cross_norm = [](const double *u, const double *v) {
    const double x = u[1] * v[2] - u[2] * v[1], y = u[2] * v[0] - u[0] * v[2], z = u[0] * v[1] - u[1] * v[0];
    return std::sqrt(x * x + y * y + z * z);
  };
  const double volume = h[0] * h[1] * h[2];
  const double widths[3] = {volume / cross_norm(b, c), volume / cross_norm(c, a), volume / cross_norm(a, b)};
  double smallest = std::numeric_limits<double>::max();
  // In 2d the z extent is a formality (often thin) and no neighbour lies along z.
  const int ndims = domain->dimension == 2 ? 2 : 3;
  for (int k = 0; k < ndims; k++)
    if (domain->periodicity[k]) smallest = std::min(smallest, widths[k]);
  return smallest;
}

void ComputeCageAtom::begin_window()
{
  const int nlocal = atom->nlocal;
  double **values = store->values();
  int largest_local = 0;
  try {
    // Shared with any other window compute searching the same group and cutoffs at this step.
    const auto snapshot = neighbours_at_window_start(options.cutoff);
    for (int i = 0; i < nlocal; i++) {
      const int count = snapshot->count(i);
      const tagint *ids = &snapshot->ids[snapshot->first[size_t(i)]];
      for (int k = 0; k < std::min(count, maxcage); k++) values[i][id_column(k)] = double(ids[k]);
      values[i][0] = std::min(count, maxcage);
      largest_local = std::max(largest_local, count);
    }
  } catch (LAMMPSException &) {
    throw;
  } catch (std::exception &e) {
    error->one(FLERR, "Compute cage/atom {}: finding cages failed: {}", id, e.what());
  }
  int largest = 0;
  MPI_Allreduce(&largest_local, &largest, 1, MPI_INT, MPI_MAX, world);
  if (largest > maxcage)
    error->all(FLERR, "Compute cage/atom {}: an atom has {} neighbours within the cutoff at the window start, more "
               "than maxcage = {}; raise it with 'maxcage {}' (or check the cutoff)", id, largest, maxcage, largest);
}

void ComputeCageAtom::derive_columns(double *row) const
{
  // An atom counts in C only if it had a cage: sum(broken) / sum(analysed) is C over any region.
  const double n_cage = row[OUT_NCAGE];
  row[OUT_ANALYSED] = n_cage > 0.0 ? 1.0 : 0.0;
  row[OUT_FRACTION_LOST] = n_cage > 0.0 ? row[OUT_NLOST] / n_cage : 0.0;
}

void ComputeCageAtom::initialise_atom(int i)
{
  // An atom created mid-window has no cage yet: it is analysed from the next window on.
  store->values()[i][0] = 0.0;
}

void ComputeCageAtom::finish_window(bigint /*window_start*/, bigint /*window_end*/)
{
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  int *mask = atom->mask;
  double **x = atom->x;
  double **values = store->values();

  // What the core's test needs: every copy (owned atom or nearby ghost image) this rank
  // holds, and each owned atom's cage members recorded at the window start.
  glassdyn::CageEndAtoms &end = end_atoms;
  end.id.clear();
  end.type.clear();
  end.position.clear();
  for (int i = 0; i < nall; i++) {
    if (i >= nlocal && !may_neighbour_owned(x[i])) continue;
    end.id.push_back(atom->tag[i]);
    end.type.push_back(atom->type[i]);
    end.position.insert(end.position.end(), x[i], x[i] + 3);
  }
  end.n_owned = size_t(nlocal);
  end.cage_first.assign(size_t(nlocal) + 1, 0);
  end.cage_member.clear();
  for (int i = 0; i < nlocal; i++) {
    if (mask[i] & groupbit) {
      const int n_cage = static_cast<int>(values[i][0]);
      for (int k = 0; k < n_cage; k++) end.cage_member.push_back(static_cast<tagint>(values[i][id_column(k)]));
    }
    end.cage_first[size_t(i) + 1] = end.cage_member.size();
  }

  glassdyn::CageTallies tallies(atom->ntypes);
  try {
    losses.evaluate(end, options, outcomes, tallies);
  } catch (LAMMPSException &) {
    throw;
  } catch (std::exception &e) {
    error->one(FLERR, "Compute cage/atom {}: window evaluation failed: {}", id, e.what());
  }
  for (int i = 0; i < nlocal; i++) {
    const double n_cage = double(end.cage_first[size_t(i) + 1] - end.cage_first[size_t(i)]);
    values[i][output_column(OUT_NCAGE)] = n_cage;
    values[i][output_column(OUT_NLOST)] = double(outcomes[size_t(i)].n_lost);
    values[i][output_column(OUT_BROKEN)] = outcomes[size_t(i)].broken ? 1.0 : 0.0;
  }
  // Whole numbers: the sums are exact and the same on any number of ranks.
  tallies.sum(MpiCommunicator(world));
  const auto summary = glassdyn::summarise_cages(tallies);
  for (int t = 0; t < atom->ntypes; t++) std::copy(summary.by_type[t].begin(), summary.by_type[t].end(), global_table[t]);
  global_values[FRACTION_BROKEN] = summary.fraction_broken;
  global_values[MEAN_LOST] = summary.mean_lost;
  global_values[MEAN_CAGE] = summary.mean_cage;

  save_global_results();
}

double ComputeCageAtom::memory_usage()
{
  return WindowedCompute::memory_usage() + end_atoms.memory_bytes() + losses.memory_bytes() +
      double(outcomes.capacity()) * sizeof(glassdyn::CageOutcome);
}
