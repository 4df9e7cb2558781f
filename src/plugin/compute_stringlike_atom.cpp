#include "compute_stringlike_atom.h"

#include "fix_window_store.h"
#include "lammps_frame.h"
#include "mpi_communicator.h"

#include "atom.h"
#include "domain.h"
#include "error.h"
#include "exceptions.h"

#include <algorithm>
#include <cstring>
#include <exception>

using namespace LAMMPS_NS;

namespace {
// The global array (src/core/schema/strings.hpp): xi, n(xi), type, fast, string, long.
namespace table = glassdyn::schema::strings;
constexpr int TABLE_COLUMNS = table::array.size();
static_assert(table::array.index("xi") == 0 && table::array.index("n_xi") == 1 && table::array.index("type") == 2 &&
                  table::array.index("n_fast") == 3 && table::array.index("n_str") == 4 &&
                  table::array.index("n_long") == 5,
              "evaluate_window() fills the global array in this order");
}    // namespace

ComputeStringLikeAtom::ComputeStringLikeAtom(LAMMPS *lmp, int narg, char **arg) : WindowedCompute(lmp, narg, arg)
{
  parse_arguments(narg, arg);

  static_assert(NOUTPUTCOLUMNS == TABLE_COLUMNS, "c_ID[*] expands per-atom to the global array's columns");
  create_outputs(NGLOBAL, static_cast<int>(std::max<bigint>(options.maxsize + 1, atom->ntypes)), TABLE_COLUMNS,
                 NCOLUMNS - OUT_MOBILE, OUT_MOBILE);
  // One window's reference: the unwrapped positions (copied per origin with `origins K`).
  static_assert(REF_X == 0 && REF_Z == 2, "the reference leads the store row");
  create_store(NCOLUMNS, REF_Z + 1);
}

void ComputeStringLikeAtom::parse_arguments(int narg, char **arg)
{
  const char *usage = "compute ID group stringlike/atom delta D [window N [origins K] | sync FIX-ID] [keyword value ...]";
  if (narg < 5 || strcmp(arg[3], "delta") != 0)
    error->all(FLERR, "Illegal compute stringlike/atom command: the first argument must be 'delta D'; usage: {}",
               usage);
  // Only the syntax is checked here; the values are checked once, by StringOptions::validate().
  options.delta = glassdyn::PairTable(atom->ntypes, utils::numeric(FLERR, arg[4], false, lmp));

  bool fraction_given = false, range_given = false;
  int iarg = 5;
  while (iarg < narg) {
    if (const int used = parse_window_keyword(narg, arg, iarg)) {
      iarg += used;
      continue;
    }
    const std::string keyword = arg[iarg];
    auto need = [&](int nvalues) {
      if (iarg + nvalues >= narg) utils::missing_cmd_args(FLERR, "compute stringlike/atom " + keyword, error);
    };
    if (keyword == "delta/pair") {
      iarg += parse_pair_distance(narg, arg, iarg, options.delta);
    } else if (keyword == "fraction") {
      need(1);
      options.fraction = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      fraction_given = true;
      iarg += 2;
    } else if (keyword == "range") {
      need(2);
      options.u_low = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      options.u_high = utils::numeric(FLERR, arg[iarg + 2], false, lmp);
      range_given = true;
      options.select_by_fraction = false;
      iarg += 3;
    } else if (keyword == "drift") {
      need(1);
      options.remove_drift = utils::logical(FLERR, arg[iarg + 1], false, lmp) == 1;
      iarg += 2;
    } else if (keyword == "long") {
      need(1);
      options.long_threshold = utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else if (keyword == "maxsize") {
      need(1);
      options.maxsize = utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else {
      error->all(FLERR,
                 "Compute stringlike/atom: unknown keyword '{}'; allowed: delta/pair, window, origins, sync, fraction, range, "
                 "drift, long, maxsize",
                 keyword);
    }
  }
  if (fraction_given && range_given)
    error->all(FLERR, "Compute stringlike/atom: keywords fraction and range exclude each other; give one");
  validate_options(options);
}

void ComputeStringLikeAtom::derive_columns(double *row) const
{
  // Flags to count string atoms in a region or group (compute reduce sum).
  const bool in_string = row[C_STRING_ID] > 0.0;
  row[C_IN_STRING] = in_string ? 1.0 : 0.0;
  row[C_IN_LONG_STRING] = (in_string && row[C_SIZE] >= double(options.long_threshold)) ? 1.0 : 0.0;
}

void ComputeStringLikeAtom::initialise_atom(int i)
{
  // An atom created mid-window is measured from where it appears.
  domain->unmap(atom->x[i], atom->image[i], &store->values()[i][REF_X]);
}

void ComputeStringLikeAtom::begin_window()
{
  double **x = atom->x;
  imageint *image = atom->image;
  double **values = store->values();
  for (int i = 0; i < atom->nlocal; i++) domain->unmap(x[i], image[i], &values[i][REF_X]);
}

void ComputeStringLikeAtom::finish_window(bigint /*window_start*/, bigint /*window_end*/)
{
  // The core reports broken invariants with exceptions; turn them into a LAMMPS error rather
  // than letting them unwind through LAMMPS (not every rank need throw, hence error->one).
  try {
    evaluate_window();
  } catch (LAMMPSException &) {
    throw;    // already a LAMMPS error with its own message
  } catch (std::exception &e) {
    error->one(FLERR, "Compute stringlike/atom {}: window evaluation failed: {}", id, e.what());
  }
}

void ComputeStringLikeAtom::evaluate_window()
{
  // Thin adapter: owned atoms in, the core pipeline (which exchanges the mobile atoms between
  // ranks itself), per-atom and global results out. No ghost atom is read.
  double **values = store->values();
  const auto atoms = owned_atoms(lmp, groupbit, values, REF_X, options.remove_drift);
  const auto result = glassdyn::analyse_strings(current_box(lmp), atoms, options, MpiCommunicator(world));

  for (int i = 0; i < atom->nlocal; i++) {
    values[i][OUT_MOBILE] = result.mobile[i] ? 1.0 : 0.0;
    values[i][OUT_STRING_ID] = double(result.string_id[i]);
    values[i][OUT_SIZE] = double(result.string_size[i]);
    values[i][OUT_U] = result.displacement[i];
  }

  const auto &summary = result.summary;
  global_values[N_FAST] = double(summary.n_fast);
  global_values[N_STRING] = double(summary.n_string_atoms);
  global_values[N_LONG] = double(summary.n_long_atoms);
  global_values[N_STRINGS] = double(summary.n_strings);
  global_values[MEAN_SIZE_NUMBER] = summary.mean_size_number;
  global_values[MEAN_SIZE_WEIGHT] = summary.mean_size_weight;
  global_values[STRING_FRACTION] = summary.string_fraction;
  global_values[LONG_FRACTION] = summary.long_fraction;
  for (int r = 0; r < size_array_rows; r++) {
    double *row = global_table[r];
    std::fill(row, row + TABLE_COLUMNS, 0.0);
    if (r < int(summary.size_histogram.size())) {
      row[0] = r + 1;
      row[1] = double(summary.size_histogram[r]);
    }
    if (r < atom->ntypes) {
      row[2] = r + 1;
      row[3] = double(result.fast_by_type[r]);
      row[4] = double(result.string_by_type[r]);
      row[5] = double(result.long_by_type[r]);
    }
  }
  save_global_results();
}

double ComputeStringLikeAtom::window_displacement(int i) const
{
  return store->values()[i][OUT_U];
}
