#include "compute_stringlike_atom.h"

#include "fix_window_store.h"
#include "mpi_global_sum.h"

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "exceptions.h"
#include "group.h"
#include "memory.h"
#include "modify.h"
#include "neighbor.h"
#include "update.h"

#include "disjoint_set.hpp"
#include "string_analysis.hpp"
#include "string_links.hpp"
#include "string_summary.hpp"
#include "top_selection.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <unordered_map>
#include <unordered_set>

using namespace LAMMPS_NS;

namespace {
enum CommMode { COMM_DISPLACEMENT, COMM_LABEL };
// The global array (src/core/schema/strings.hpp): xi, n(xi), type, fast, string, long.
namespace table = glassdyn::schema::strings;
constexpr int TABLE_COLUMNS = table::array.size();
static_assert(table::array.index("xi") == 0 && table::array.index("n_xi") == 1 && table::array.index("type") == 2 &&
                  table::array.index("n_fast") == 3 && table::array.index("n_str") == 4 &&
                  table::array.index("n_long") == 5,
              "store_window_results() fills the global array in this order");
}    // namespace

ComputeStringLikeAtom::ComputeStringLikeAtom(LAMMPS *lmp, int narg, char **arg) :
    WindowedCompute(lmp, narg, arg), select_by_fraction(true), fraction(0.05), u_low(0.0), u_high(0.0),
    remove_drift(true), long_threshold(6), maxsize(50), nmax(0), displacement(nullptr), mobile(nullptr), label(nullptr), comm_mode(COMM_DISPLACEMENT)
{
  parse_arguments(narg, arg);

  static_assert(NOUTPUTCOLUMNS == TABLE_COLUMNS, "c_ID[*] expands per-atom to the global array's columns");
  create_outputs(NGLOBAL, static_cast<int>(std::max<bigint>(maxsize + 1, atom->ntypes)), TABLE_COLUMNS,
                 NCOLUMNS - OUT_MOBILE, OUT_MOBILE);
  comm_forward = 4;
  create_store(NCOLUMNS);
}

ComputeStringLikeAtom::~ComputeStringLikeAtom()
{
  memory->destroy(displacement);
  memory->destroy(mobile);
  memory->destroy(label);
}

void ComputeStringLikeAtom::parse_arguments(int narg, char **arg)
{
  const char *usage = "compute ID group stringlike/atom delta D [window N | sync FIX-ID] [keyword value ...]";
  if (narg < 5 || strcmp(arg[3], "delta") != 0)
    error->all(FLERR, "Illegal compute stringlike/atom command: the first argument must be 'delta D'; usage: {}",
               usage);
  const double delta_all = utils::numeric(FLERR, arg[4], false, lmp);
  if (!(delta_all > 0.0)) error->all(FLERR, "Compute stringlike/atom: delta must be > 0 (a distance), got {}", arg[4]);
  delta = glassdyn::PairTable(atom->ntypes, delta_all);

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
      iarg += parse_pair_distance(narg, arg, iarg, delta);
    } else if (keyword == "fraction") {
      need(1);
      fraction = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      if (!(fraction > 0.0 && fraction <= 1.0))
        error->all(FLERR, "Compute stringlike/atom fraction: F must be in (0,1], got {}", arg[iarg + 1]);
      fraction_given = true;
      iarg += 2;
    } else if (keyword == "range") {
      need(2);
      u_low = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      u_high = utils::numeric(FLERR, arg[iarg + 2], false, lmp);
      if (u_low < 0.0) error->all(FLERR, "Compute stringlike/atom range: ulo must be >= 0, got {}", u_low);
      if (u_low >= u_high)
        error->all(FLERR, "Compute stringlike/atom range: ulo must be < uhi, got ulo = {} uhi = {}", u_low, u_high);
      range_given = true;
      select_by_fraction = false;
      iarg += 3;
    } else if (keyword == "drift") {
      need(1);
      remove_drift = utils::logical(FLERR, arg[iarg + 1], false, lmp) == 1;
      iarg += 2;
    } else if (keyword == "long") {
      need(1);
      long_threshold = utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
      if (long_threshold < 2)
        error->all(FLERR, "Compute stringlike/atom long: L must be an integer >= 2, got {}", arg[iarg + 1]);
      iarg += 2;
    } else if (keyword == "maxsize") {
      need(1);
      maxsize = utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
      if (maxsize < 1 || maxsize > 100000)
        error->all(FLERR, "Compute stringlike/atom maxsize: M must be an integer in 1..100000, got {}", arg[iarg + 1]);
      iarg += 2;
    } else {
      error->all(FLERR,
                 "Compute stringlike/atom: unknown keyword '{}'; allowed: delta/pair, window, sync, fraction, range, "
                 "drift, long, maxsize",
                 keyword);
    }
  }
  if (fraction_given && range_given)
    error->all(FLERR, "Compute stringlike/atom: keywords fraction and range exclude each other; give one");
}

void ComputeStringLikeAtom::derive_columns(double *row) const
{
  // Flags to count string atoms in a region or group (compute reduce sum).
  const bool in_string = row[C_STRING_ID] > 0.0;
  row[C_IN_STRING] = in_string ? 1.0 : 0.0;
  row[C_IN_LONG_STRING] = (in_string && row[C_SIZE] >= double(long_threshold)) ? 1.0 : 0.0;
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

void ComputeStringLikeAtom::grow_work_arrays()
{
  if (atom->nmax <= nmax) return;
  nmax = atom->nmax;
  memory->destroy(displacement);
  memory->destroy(mobile);
  memory->destroy(label);
  memory->create(displacement, nmax, 3, "stringlike/atom:displacement");
  memory->create(mobile, nmax, "stringlike/atom:mobile");
  memory->create(label, nmax, "stringlike/atom:label");
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
  grow_work_arrays();
  compute_displacements();
  select_mobile();
  label_strings();
}

void ComputeStringLikeAtom::compute_displacements()
{
  double **x = atom->x;
  imageint *image = atom->image;
  int *mask = atom->mask;
  double **values = store->values();
  const int nlocal = atom->nlocal;

  // Mass-weighted mean displacement of the group: the centre-of-mass drift.
  double local_moment[4] = {0.0, 0.0, 0.0, 0.0};
  for (int i = 0; i < nlocal; i++) {
    if (!(mask[i] & groupbit)) {
      displacement[i][0] = displacement[i][1] = displacement[i][2] = 0.0;
      continue;
    }
    double unwrapped[3];
    domain->unmap(x[i], image[i], unwrapped);
    for (int k = 0; k < 3; k++) displacement[i][k] = unwrapped[k] - values[i][REF_X + k];
    const double m = atom->rmass ? atom->rmass[i] : atom->mass[atom->type[i]];
    local_moment[0] += m;
    for (int k = 0; k < 3; k++) local_moment[k + 1] += m * displacement[i][k];
  }
  if (!remove_drift) return;
  double moment[4];
  MPI_Allreduce(local_moment, moment, 4, MPI_DOUBLE, MPI_SUM, world);
  if (moment[0] <= 0.0) return;
  const double drift[3] = {moment[1] / moment[0], moment[2] / moment[0], moment[3] / moment[0]};
  for (int i = 0; i < nlocal; i++)
    if (mask[i] & groupbit)
      for (int k = 0; k < 3; k++) displacement[i][k] -= drift[k];
}

void ComputeStringLikeAtom::select_mobile()
{
  int *mask = atom->mask;
  tagint *tag = atom->tag;
  double **values = store->values();
  const int nlocal = atom->nlocal;

  std::vector<double> u;
  std::vector<int64_t> ids;
  std::vector<int> local_index;
  for (int i = 0; i < nlocal; i++) {
    const double *d = displacement[i];
    values[i][OUT_U] = (mask[i] & groupbit) ? std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) : 0.0;
    mobile[i] = 0.0;
    if (!(mask[i] & groupbit)) continue;
    u.push_back(values[i][OUT_U]);
    ids.push_back(tag[i]);
    local_index.push_back(i);
  }

  if (select_by_fraction) {
    const int64_t wanted = glassdyn::mobile_count(fraction, group->count(igroup));
    const auto chosen = glassdyn::select_largest(u, ids, wanted, MpiGlobalSum(world));
    for (size_t g = 0; g < local_index.size(); g++) mobile[local_index[g]] = chosen[g];
  } else {
    for (size_t g = 0; g < local_index.size(); g++) mobile[local_index[g]] = (u[g] >= u_low && u[g] <= u_high);
  }

  double u_max_local = 0.0, u_max = 0.0;
  for (size_t g = 0; g < local_index.size(); g++)
    if (mobile[local_index[g]] != 0.0) u_max_local = std::max(u_max_local, u[g]);
  MPI_Allreduce(&u_max_local, &u_max, 1, MPI_DOUBLE, MPI_MAX, world);
  check_ghost_reach(u_max);

  comm_mode = COMM_DISPLACEMENT;
  comm->forward_comm(this);
}

void ComputeStringLikeAtom::check_ghost_reach(double u_max_mobile)
{
  // A partner j of atom i satisfies |r_i(t) - r_j(t)| < delta + max(u_i, u_j). Ghost atoms
  // are guaranteed out to the communication cutoff minus the skin (atoms drift up to half a
  // skin each between reneighborings), so the reach must fit inside that.
  const double reach = delta.max_value() + u_max_mobile;
  const double guaranteed = guaranteed_ghost_reach();
  if (reach > guaranteed)
    error->all(FLERR,
               "Compute stringlike/atom {}: a mobile atom moved u = {:.4g} in the window, so string partners may lie "
               "up to delta + u = {:.4g} away, beyond the guaranteed ghost-atom reach {:.4g} (communication cutoff "
               "{:.4g} minus skin {:.4g}); use 'comm_modify cutoff {:.4g}' or a shorter window",
               id, u_max_mobile, reach, guaranteed, comm->get_comm_cutoff(), neighbor->skin,
               suggested_comm_cutoff(reach));
}

// Mobile atoms this rank sees (owned ones first, then ghost copies), grouped into the pieces
// of strings that lie on this rank.
struct ComputeStringLikeAtom::LocalStrings {
  glassdyn::MobilePoints points;
  std::vector<int> atom_of_point;
  glassdyn::DisjointSet components{0};
  std::unordered_map<size_t, tagint> component_label;    // smallest atom ID known so far
  std::unordered_set<size_t> linked_components;          // pieces holding two or more atoms

  bool linked(size_t p) { return linked_components.count(components.find(p)) != 0; }
};

void ComputeStringLikeAtom::label_strings()
{
  LocalStrings local = find_local_strings();
  propagate_labels(local);
  store_window_results(local, gather_string_sizes(local));
}

ComputeStringLikeAtom::LocalStrings ComputeStringLikeAtom::find_local_strings()
{
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  tagint *tag = atom->tag;

  LocalStrings local;
  auto &points = local.points;
  double u_max = 0.0;
  for (int i = 0; i < nall; i++) {
    if (i == nlocal) points.n_owned = points.size();
    if (mobile[i] == 0.0) continue;
    points.add(atom->x[i], displacement[i], atom->type[i]);
    local.atom_of_point.push_back(i);
    const double *d = displacement[i];
    u_max = std::max(u_max, std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]));
  }
  if (nall == nlocal) points.n_owned = points.size();
  auto tag_of = [&](size_t p) { return tag[local.atom_of_point[p]]; };

  local.components = glassdyn::DisjointSet(points.size());
  for (const auto &link : glassdyn::find_string_links(points, delta, delta.max_value() + u_max))
    if (tag_of(link.first) != tag_of(link.second))    // not an atom and its own periodic image
      local.components.unite(link.first, link.second);
  // Copies of one atom on this rank (owned + periodic ghost images) are the same atom.
  std::unordered_map<tagint, size_t> first_copy;
  for (size_t p = 0; p < points.size(); p++) {
    const auto inserted = first_copy.emplace(tag_of(p), p);
    if (!inserted.second) local.components.unite(p, inserted.first->second);
  }

  for (size_t p = 0; p < points.size(); p++) {
    const size_t root = local.components.find(p);
    const auto inserted = local.component_label.emplace(root, tag_of(p));
    if (!inserted.second && inserted.first->second != tag_of(p)) {
      local.linked_components.insert(root);
      inserted.first->second = std::min(inserted.first->second, tag_of(p));
    }
  }
  return local;
}

void ComputeStringLikeAtom::propagate_labels(LocalStrings &local)
{
  // Labels (smallest atom ID of the string) travel through ghost atoms until no rank lowers
  // any label: a string spanning k subdomains settles in about k rounds.
  const int nall = atom->nlocal + atom->nghost;
  for (int i = 0; i < nall; i++) label[i] = 0.0;
  for (size_t p = 0; p < local.points.n_owned; p++)
    label[local.atom_of_point[p]] = double(local.component_label[local.components.find(p)]);
  while (true) {
    comm_mode = COMM_LABEL;
    comm->forward_comm(this);
    for (size_t p = local.points.n_owned; p < local.points.size(); p++) {
      const double ghost_label = label[local.atom_of_point[p]];
      if (ghost_label <= 0.0) continue;
      tagint &current = local.component_label[local.components.find(p)];
      current = std::min(current, static_cast<tagint>(ghost_label));
    }
    int changed_local = 0, changed = 0;
    for (size_t p = 0; p < local.points.n_owned; p++) {
      const double updated = double(local.component_label[local.components.find(p)]);
      if (updated < label[local.atom_of_point[p]]) {
        label[local.atom_of_point[p]] = updated;
        changed_local = 1;
      }
    }
    MPI_Allreduce(&changed_local, &changed, 1, MPI_INT, MPI_MAX, world);
    if (!changed) break;
  }
}

std::map<tagint, int64_t> ComputeStringLikeAtom::gather_string_sizes(LocalStrings &local)
{
  // Every rank contributes (label, count) of its owned string atoms; the gathered list is
  // small (string atoms only) and identical on every rank.
  std::map<tagint, int64_t> local_count;
  for (size_t p = 0; p < local.points.n_owned; p++)
    if (local.linked(p)) ++local_count[static_cast<tagint>(label[local.atom_of_point[p]])];
  std::vector<int64_t> send;
  for (const auto &entry : local_count) {
    send.push_back(entry.first);
    send.push_back(entry.second);
  }
  int nsend = int(send.size());
  std::vector<int> counts(comm->nprocs), offsets(comm->nprocs, 0);
  MPI_Allgather(&nsend, 1, MPI_INT, counts.data(), 1, MPI_INT, world);
  for (int r = 1; r < comm->nprocs; r++) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<int64_t> gathered(size_t(offsets.back() + counts.back()));
  MPI_Allgatherv(send.data(), nsend, GLASSDYN_MPI_INT64, gathered.data(), counts.data(), offsets.data(), GLASSDYN_MPI_INT64, world);
  std::map<tagint, int64_t> size_of_label;
  for (size_t k = 0; k + 1 < gathered.size(); k += 2) size_of_label[static_cast<tagint>(gathered[k])] += gathered[k + 1];
  // A pair exactly at the delta boundary can be linked by one owner and not by the other
  // (ghost positions carry the periodic shift's rounding); a label then gathers one atom
  // only. Every rank sees the same gathered list, so all treat such atoms as isolated.
  for (auto it = size_of_label.begin(); it != size_of_label.end();) {
    if (it->second < 2) it = size_of_label.erase(it);
    else ++it;
  }
  return size_of_label;
}

void ComputeStringLikeAtom::store_window_results(LocalStrings &local, const std::map<tagint, int64_t> &size_of_label)
{
  double **values = store->values();
  for (int i = 0; i < atom->nlocal; i++) {
    values[i][OUT_MOBILE] = mobile[i];
    values[i][OUT_STRING_ID] = 0.0;
    values[i][OUT_SIZE] = mobile[i];
  }
  std::vector<int64_t> by_type(3 * size_t(atom->ntypes), 0);    // fast, string, long per type
  for (size_t p = 0; p < local.points.n_owned; p++) {
    const int i = local.atom_of_point[p];
    const int t = atom->type[i] - 1;
    ++by_type[3 * t];
    const tagint string_label = static_cast<tagint>(label[i]);
    const auto string = size_of_label.find(string_label);
    if (!local.linked(p) || string == size_of_label.end()) continue;
    values[i][OUT_STRING_ID] = double(string_label);
    values[i][OUT_SIZE] = double(string->second);
    ++by_type[3 * t + 1];
    if (string->second >= long_threshold) ++by_type[3 * t + 2];
  }
  MPI_Allreduce(MPI_IN_PLACE, by_type.data(), int(by_type.size()), GLASSDYN_MPI_INT64, MPI_SUM, world);

  int64_t n_fast = 0;
  for (int t = 0; t < atom->ntypes; t++) n_fast += by_type[3 * t];
  std::vector<int64_t> sizes;
  for (const auto &entry : size_of_label) sizes.push_back(entry.second);
  const auto summary = glassdyn::summarise_strings(sizes, n_fast, long_threshold, maxsize);

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
      for (int c = 0; c < 3; c++) row[3 + c] = double(by_type[3 * r + c]);
    }
  }
  save_global_results();
}

int ComputeStringLikeAtom::pack_forward_comm(int n, int *list, double *buf, int /*pbc_flag*/, int * /*pbc*/)
{
  // Displacements are differences of positions, so periodic images need no shift.
  int m = 0;
  for (int k = 0; k < n; k++) {
    const int j = list[k];
    if (comm_mode == COMM_DISPLACEMENT) {
      buf[m++] = displacement[j][0];
      buf[m++] = displacement[j][1];
      buf[m++] = displacement[j][2];
      buf[m++] = mobile[j];
    } else {
      buf[m++] = label[j];
    }
  }
  return m;
}

void ComputeStringLikeAtom::unpack_forward_comm(int n, int first, double *buf)
{
  int m = 0;
  for (int i = first; i < first + n; i++) {
    if (comm_mode == COMM_DISPLACEMENT) {
      displacement[i][0] = buf[m++];
      displacement[i][1] = buf[m++];
      displacement[i][2] = buf[m++];
      mobile[i] = buf[m++];
    } else {
      label[i] = buf[m++];
    }
  }
}

double ComputeStringLikeAtom::memory_usage()
{
  return WindowedCompute::memory_usage() + double(nmax) * 6 * sizeof(double);
}
