#include "compute_displacement_distribution.h"

#include "compute_stringlike_atom.h"

#include "atom.h"
#include "error.h"
#include "memory.h"
#include "modify.h"
#include "update.h"

#include "schema/displacement.hpp"

#include <cmath>
#include <exception>
#include <stdexcept>

using namespace LAMMPS_NS;

namespace {
// Outputs (src/core/schema/displacement.hpp): the vector holds these values once per set; the
// array's columns are u, p(u) per set, log10 u, p(log10 u) per set.
namespace layout = glassdyn::schema::displacement;
enum SetValue {
  MEAN = layout::vector.index("u_mean"),
  MOST_PROBABLE = layout::vector.index("u_most_probable"),
  FRACTION_BEYOND = layout::vector.index("u_beyond_fraction"),
  FRACTION_OVER = layout::vector.index("u_outside_fraction"),
  NSETVALUES = layout::vector.size()
};
static_assert(layout::array.offset("u", 3) == 0 && layout::array.offset("p_u", 3, 0) == 1 &&
                  layout::array.offset("log10_u", 3) == 4 && layout::array.offset("p_log10_u", 3, 0) == 5,
              "update_histogram() fills the array columns in this order");
constexpr bigint NO_WINDOW_YET = -1;      // the source has not finished a window
constexpr bigint NOT_YET_FILLED = -2;     // forces the first update to fill the outputs
}

ComputeDisplacementDistribution::ComputeDisplacementDistribution(LAMMPS *lmp, int narg, char **arg) :
    Compute(lmp, narg, arg), source(nullptr), histogram_of_window(NOT_YET_FILLED), summary(nullptr), table(nullptr)
{
  if (narg < 4)
    error->all(FLERR, "Illegal compute displacement/distribution command: usage: compute ID group "
               "displacement/distribution STRINGLIKE-ID [bins N] [umax U] [logmin L] [beyond B]");
  source_id = arg[3];
  bool logmin_given = false, beyond_given = false;
  int iarg = 4;
  while (iarg < narg) {
    const std::string keyword = arg[iarg];
    if (keyword != "bins" && keyword != "umax" && keyword != "logmin" && keyword != "beyond")
      error->all(FLERR, "Compute displacement/distribution: unknown keyword '{}'; allowed: bins, umax, logmin, beyond",
                 keyword);
    if (iarg + 1 >= narg) utils::missing_cmd_args(FLERR, "compute displacement/distribution " + keyword, error);
    if (keyword == "bins") {
      spec.bins = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
    } else if (keyword == "umax") {
      spec.u_max = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
    } else if (keyword == "logmin") {
      spec.log_min = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      logmin_given = true;
    } else if (keyword == "beyond") {
      spec.beyond = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      beyond_given = true;
    }
    iarg += 2;
  }
  // Defaults that follow umax apply only to a usable umax; validate() names a bad one.
  if (spec.u_max > 0.0 && std::isfinite(spec.u_max)) {
    if (!logmin_given) spec.log_min = std::log10(spec.u_max) - 3.0;
    if (!beyond_given) spec.beyond = 0.5 * spec.u_max;
  }
  try {
    spec.validate();
  } catch (std::invalid_argument &e) {
    error->all(FLERR, "Compute displacement/distribution {}", e.what());
  }

  vector_flag = 1;
  size_vector = layout::vector.width(sets());
  extvector = 0;
  array_flag = 1;
  size_array_rows = spec.bins;
  size_array_cols = layout::array.width(sets());
  extarray = 0;
  memory->create(summary, size_vector, "displacement/distribution:summary");
  memory->create(table, size_array_rows, size_array_cols, "displacement/distribution:table");
  vector = summary;
  array = table;
  init();
  update_histogram();
}

ComputeDisplacementDistribution::~ComputeDisplacementDistribution()
{
  memory->destroy(summary);
  memory->destroy(table);
}

void ComputeDisplacementDistribution::init()
{
  Compute *compute = modify->get_compute_by_id(source_id);
  if (!compute)
    error->all(FLERR, "Compute displacement/distribution: no compute with ID {}; define the compute stringlike/atom "
               "first", source_id);
  source = dynamic_cast<ComputeStringLikeAtom *>(compute);
  if (!source)
    error->all(FLERR, "Compute displacement/distribution: compute {} has style {}, not stringlike/atom", source_id,
               compute->style);
}

int ComputeDisplacementDistribution::sets() const
{
  return atom->ntypes + 1;
}

void ComputeDisplacementDistribution::update_histogram()
{
  // The source may have been deleted since init(): never follow a stale pointer.
  if (modify->get_compute_by_id(source_id) != source)
    error->all(FLERR, "Compute displacement/distribution: its compute {} was deleted; delete and re-create this compute",
               source_id);
  // Recount only when the source has finished a new window; between windows p(u) is fixed.
  const bool have_window = source->has_window_results();
  const bigint key = have_window ? source->open_window_start() : NO_WINDOW_YET;
  if (key == histogram_of_window) return;
  histogram_of_window = key;

  glassdyn::DisplacementHistogram histogram(spec, atom->ntypes);
  if (have_window) {
    const int both = groupbit;
    // The core refuses values it cannot bin (e.g. a NaN u from NaN coordinates); only the rank
    // holding such an atom sees it.
    try {
      for (int i = 0; i < atom->nlocal; i++)
        if ((atom->mask[i] & both) && (atom->mask[i] & source->groupbit))
          histogram.add(source->window_displacement(i), atom->type[i]);
    } catch (std::exception &e) {
      error->one(FLERR, "Compute displacement/distribution {}: cannot histogram the displacements of compute {}: {}",
                 id, source_id, e.what());
    }
  }
  auto &tallies = histogram.tallies();
  MPI_Allreduce(MPI_IN_PLACE, tallies.data(), int(tallies.size()), MPI_DOUBLE, MPI_SUM, world);
  const auto distributions = histogram.distributions();

  for (int s = 0; s < sets(); s++) {
    const auto &set = distributions[s];
    summary[NSETVALUES * s + MEAN] = set.mean;
    summary[NSETVALUES * s + MOST_PROBABLE] = set.most_probable;
    summary[NSETVALUES * s + FRACTION_BEYOND] = set.fraction_beyond;
    summary[NSETVALUES * s + FRACTION_OVER] = set.fraction_over;
  }
  for (int b = 0; b < spec.bins; b++) {
    double *row = table[b];
    row[0] = histogram.bin_centre(b);
    row[1 + sets()] = histogram.log_bin_centre(b);
    for (int s = 0; s < sets(); s++) {
      row[1 + s] = distributions[s].density[b];
      row[2 + sets() + s] = distributions[s].log_density[b];
    }
  }
}

double ComputeDisplacementDistribution::memory_usage()
{
  return (double(size_vector) + double(size_array_rows) * size_array_cols) * sizeof(double);
}

void ComputeDisplacementDistribution::compute_vector()
{
  invoked_vector = update->ntimestep;
  update_histogram();
}

void ComputeDisplacementDistribution::compute_array()
{
  invoked_array = update->ntimestep;
  update_histogram();
}
