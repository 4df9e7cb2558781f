#include "compute_percolation_atom.h"

#include "compute_stringlike_atom.h"
#include "fix_window_store.h"
#include "lammps_frame.h"
#include "mpi_communicator.h"

#include "atom.h"
#include "domain.h"
#include "error.h"
#include "exceptions.h"
#include "modify.h"
#include "update.h"

#include <algorithm>
#include <cstring>
#include <exception>

using namespace LAMMPS_NS;

namespace {
namespace layout = glassdyn::schema::percolation;

// The global vector is a block per class, mobile then immobile, in this column order.
constexpr const char *CLASS_COLUMNS[] = {"fraction", "n_clusters", "largest_fraction", "largest_group_fraction",
                                         "wraps_x", "wraps_y", "wraps_z", "wraps_any", "susceptibility",
                                         "fractal_dimension", "fractal_dimension_error", "fractal_clusters"};
constexpr int BLOCK = int(sizeof(CLASS_COLUMNS) / sizeof(CLASS_COLUMNS[0]));
constexpr int MOBILE_BLOCK = layout::vector.index("mobile_fraction");
constexpr int IMMOBILE_BLOCK = layout::vector.index("immobile_fraction");
static_assert(MOBILE_BLOCK == 0 && IMMOBILE_BLOCK == BLOCK && layout::vector.size() == 2 * BLOCK &&
                  layout::vector.index("mobile_wraps_any") == MOBILE_BLOCK + 7 &&
                  layout::vector.index("immobile_fractal_clusters") == IMMOBILE_BLOCK + 11,
              "evaluate_window() fills each class block in CLASS_COLUMNS order");
static_assert(layout::array.index("size") == 0 && layout::array.index("n_mobile") == 1 &&
                  layout::array.index("n_immobile") == 2 && layout::array.index("rg_mobile") == 3 &&
                  layout::array.index("rg_immobile") == 4,
              "evaluate_window() fills the global array in this order");

constexpr int BOX_VALUES = 13;    // lo[3], hi[3], xy, xz, yz, periodic[3], dimension

void fill_class(double *block, const glassdyn::ClassSummary &s)
{
  const double values[BLOCK] = {s.fraction, double(s.n_clusters), s.largest_fraction, s.largest_group_fraction,
                                s.wraps[0] ? 1.0 : 0.0, s.wraps[1] ? 1.0 : 0.0, s.wraps[2] ? 1.0 : 0.0,
                                s.wraps_any ? 1.0 : 0.0, s.susceptibility, s.fractal.dimension, s.fractal.error,
                                double(s.fractal.clusters)};
  std::copy_n(values, BLOCK, block);
}
}    // namespace

ComputePercolationAtom::ComputePercolationAtom(LAMMPS *lmp, int narg, char **arg) :
    WindowedCompute(lmp, narg, arg), source(nullptr)
{
  parse_arguments(narg, arg);
  source = find_source();
  follow_clock_of(source_id);
  create_outputs(layout::vector.size(), int(options.maxsize), layout::array.size(), NCOLUMNS - OUT_CLASS,
                 OUT_CLASS);
  create_store(NCOLUMNS);
  restore_saved_state();
}

void ComputePercolationAtom::parse_arguments(int narg, char **arg)
{
  const char *usage = "compute ID group percolation/atom SOURCE-ID cutoff RC [cutoff/pair I J R] mobile "
                      "(fraction F | above U) immobile (fraction F | below U) [maxsize M] [dfmin N]";
  if (narg < 6 || strcmp(arg[4], "cutoff") != 0)
    error->all(FLERR, "Illegal compute percolation/atom command: expected SOURCE-ID then 'cutoff RC'; usage: {}",
               usage);
  source_id = arg[3];
  // Only the syntax is checked here; the values are checked once, by PercolationOptions::validate().
  options.cutoff = glassdyn::PairTable(atom->ntypes, utils::numeric(FLERR, arg[5], false, lmp));
  bool mobile_given = false, immobile_given = false;
  int iarg = 6;
  while (iarg < narg) {
    const std::string keyword = arg[iarg];
    auto need = [&](int nvalues) {
      if (iarg + nvalues >= narg) utils::missing_cmd_args(FLERR, "compute percolation/atom " + keyword, error);
    };
    if (keyword == "cutoff/pair") {
      iarg += parse_pair_distance(narg, arg, iarg, options.cutoff);
    } else if (keyword == "mobile" || keyword == "immobile") {
      need(2);
      const bool mobile = keyword == "mobile";
      const std::string how = arg[iarg + 1], threshold = mobile ? "above" : "below";
      if (how != "fraction" && how != threshold)
        error->all(FLERR, "Compute percolation/atom {}: expected 'fraction F' or '{} U', got '{}'", keyword,
                   threshold, how);
      glassdyn::ClassCriterion &c = mobile ? options.mobile : options.immobile;
      c.by_fraction = how == "fraction";
      (c.by_fraction ? c.fraction : c.threshold) = utils::numeric(FLERR, arg[iarg + 2], false, lmp);
      (mobile ? mobile_given : immobile_given) = true;
      iarg += 3;
    } else if (keyword == "maxsize" || keyword == "dfmin") {
      need(1);
      (keyword == "maxsize" ? options.maxsize : options.fractal_min_size) =
          utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else {
      error->all(FLERR, "Compute percolation/atom: unknown keyword '{}'; allowed: cutoff/pair, mobile, immobile, "
                 "maxsize, dfmin", keyword);
    }
  }
  if (!mobile_given || !immobile_given)
    error->all(FLERR, "Compute percolation/atom: keywords mobile and immobile are both required; usage: {}", usage);
  validate_options(options);
}

ComputeStringLikeAtom *ComputePercolationAtom::find_source()
{
  Compute *compute = modify->get_compute_by_id(source_id);
  if (!compute)
    error->all(FLERR, "Compute percolation/atom: SOURCE-ID: no compute with ID {}; define the compute "
               "stringlike/atom before this one", source_id);
  auto *found = dynamic_cast<ComputeStringLikeAtom *>(compute);
  if (!found)
    error->all(FLERR, "Compute percolation/atom: SOURCE-ID: compute {} has style {}, not stringlike/atom", source_id,
               compute->style);
  return found;
}

void ComputePercolationAtom::init()
{
  // The source may have been deleted or defined again since the last run.
  source = find_source();
  WindowedCompute::init();
}

void ComputePercolationAtom::initialise_atom(int i)
{
  // An atom created mid-window is placed where it appears.
  domain->unmap(atom->x[i], atom->image[i], &store->values()[i][REF_X]);
}

void ComputePercolationAtom::begin_window()
{
  // The source's store runs first at this step, so its window must have begun here too.
  if (modify->get_compute_by_id(source_id) != source) source = find_source();
  const bigint now = update->ntimestep;
  if (source->open_window_start() != now)
    error->all(FLERR, "Compute percolation/atom {}: its window starts at step {} but the window of compute {} "
               "started at step {}; define both before the run that starts their windows", id, now, source_id,
               source->open_window_start());
  double **values = store->values();
  for (int i = 0; i < atom->nlocal; i++) domain->unmap(atom->x[i], atom->image[i], &values[i][REF_X]);
  box_t0 = current_box(lmp);
  save_state();
}

void ComputePercolationAtom::finish_window(bigint window_start, bigint window_end)
{
  try {
    evaluate_window(window_start, window_end);
  } catch (LAMMPSException &) {
    throw;
  } catch (std::exception &e) {
    error->one(FLERR, "Compute percolation/atom {}: window evaluation failed: {}", id, e.what());
  }
}

void ComputePercolationAtom::evaluate_window(bigint window_start, bigint window_end)
{
  if (modify->get_compute_by_id(source_id) != source) source = find_source();
  // The source evaluated its window ending here (it runs first); it began with ours.
  if (source->open_window_start() != window_end)
    error->all(FLERR, "Compute percolation/atom {}: its window {}-{} does not match the windows of compute {} "
               "(whose open window began at step {})", id, window_start, window_end, source_id,
               source->open_window_start());
  const int nlocal = atom->nlocal;
  int outside = 0;
  for (int i = 0; i < nlocal; i++)
    if ((atom->mask[i] & groupbit) && !(atom->mask[i] & source->groupbit)) outside = 1;
  int any_outside = 0;
  MPI_Allreduce(&outside, &any_outside, 1, MPI_INT, MPI_MAX, world);
  if (any_outside)
    error->all(FLERR, "Compute percolation/atom {}: its group has atoms outside the group of compute {}, which has "
               "no displacement for them", id, source_id);

  double **values = store->values();
  std::vector<int64_t> ids(nlocal);
  std::vector<int> types(nlocal);
  std::vector<char> in_group(nlocal);
  std::vector<double> reference(3 * size_t(nlocal)), u(nlocal);
  for (int i = 0; i < nlocal; i++) {
    ids[i] = int64_t(atom->tag[i]);
    types[i] = atom->type[i];
    in_group[i] = (atom->mask[i] & groupbit) ? 1 : 0;
    std::copy_n(&values[i][REF_X], 3, &reference[3 * size_t(i)]);
    u[i] = source->window_displacement(i);
  }
  const auto result =
      glassdyn::analyse_percolation(box_t0, ids, types, in_group, reference, u, options, MpiCommunicator(world));

  for (int i = 0; i < nlocal; i++) {
    values[i][OUT_CLASS] = double(result.atom_class[i]);
    values[i][OUT_CLUSTER_ID] = double(result.cluster_id[i]);
    values[i][OUT_SIZE] = double(result.cluster_size[i]);
    values[i][OUT_WRAPS] = double(result.wraps[i]);
    values[i][OUT_U] = in_group[i] ? u[i] : 0.0;
  }
  fill_class(&global_values[MOBILE_BLOCK], result.classes[0]);
  fill_class(&global_values[IMMOBILE_BLOCK], result.classes[1]);
  for (int r = 0; r < size_array_rows; r++) {
    double *row = global_table[r];
    row[0] = r + 1;
    row[1] = double(result.classes[0].size_counts[r]);
    row[2] = double(result.classes[1].size_counts[r]);
    row[3] = result.classes[0].size_radius[r];
    row[4] = result.classes[1].size_radius[r];
  }
  save_global_results();
}

void ComputePercolationAtom::save_state()
{
  // The global results, then the box at the start of the open window (needed at its end and
  // therefore kept in restart files with the results).
  save_global_results();
  auto &saved = saved_results;
  const double box[BOX_VALUES] = {box_t0.lo[0], box_t0.lo[1], box_t0.lo[2], box_t0.hi[0], box_t0.hi[1],
                                  box_t0.hi[2], box_t0.xy, box_t0.xz, box_t0.yz, double(box_t0.periodic[0]),
                                  double(box_t0.periodic[1]), double(box_t0.periodic[2]), double(box_t0.dimension)};
  saved.insert(saved.end(), box, box + BOX_VALUES);
}

void ComputePercolationAtom::restore_saved_state()
{
  // The base class restores only records of exactly the vector + array size; ours carries the box too.
  const auto &saved = saved_results;
  const size_t results = size_t(size_vector) + size_t(size_array_rows) * size_array_cols;
  if (saved.size() != results + BOX_VALUES) return;
  std::copy_n(saved.begin(), size_vector, global_values);
  for (int r = 0; r < size_array_rows; r++)
    std::copy_n(saved.begin() + size_vector + size_t(r) * size_array_cols, size_array_cols, global_table[r]);
  const double *box = saved.data() + results;
  for (int k = 0; k < 3; k++) {
    box_t0.lo[k] = box[k];
    box_t0.hi[k] = box[3 + k];
    box_t0.periodic[k] = box[9 + k] != 0.0;
  }
  box_t0.xy = box[6];
  box_t0.xz = box[7];
  box_t0.yz = box[8];
  box_t0.dimension = int(box[12]);
}
