#include "string_analysis.hpp"
#include "number_text.hpp"

#include "disjoint_set.hpp"
#include "string_links.hpp"
#include "window_displacement.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace glassdyn {

namespace {

// What travels between ranks for one mobile atom. Fractional coordinates (not Cartesian) so
// that every rank builds bit-identical positions and periodic images from them.
struct MobileRecord {
  int64_t id;
  int64_t type;
  double fractional[3];    // r(t) wrapped into the box
  double displacement[3];  // d = r(t) - r(t0) - drift
};
static_assert(sizeof(MobileRecord) == STRING_RECORD_BYTES, "document the exchange size");


}    // namespace

void StringOptions::validate() const
{
  if (delta.ntypes() < 1) throw std::invalid_argument("delta: no atom types (ntypes must be >= 1)");
  for (int i = 1; i <= delta.ntypes(); ++i)
    for (int j = i; j <= delta.ntypes(); ++j)
      if (!(delta.get(i, j) > 0.0) || !std::isfinite(delta.get(i, j)))
        throw std::invalid_argument("delta must be > 0 (a finite distance), got " + number_text(delta.get(i, j)) +
                                    " for types " + std::to_string(i) + " " + std::to_string(j));
  if (select_by_fraction) {
    if (!(fraction > 0.0 && fraction <= 1.0))
      throw std::invalid_argument("fraction: F must be in (0,1], got " + number_text(fraction));
  } else {
    if (!(u_low >= 0.0) || !std::isfinite(u_low))
      throw std::invalid_argument("range: ulo must be >= 0, got " + number_text(u_low));
    if (!(u_low < u_high))
      throw std::invalid_argument("range: ulo must be < uhi, got ulo = " + number_text(u_low) + " uhi = " + number_text(u_high));
  }
  if (long_threshold < 2)
    throw std::invalid_argument("long: L must be an integer >= 2, got " + std::to_string(long_threshold));
  if (maxsize < 1 || maxsize > MAX_MAXSIZE)
    throw std::invalid_argument("maxsize: M must be an integer in 1.." + std::to_string(MAX_MAXSIZE) + ", got " +
                                std::to_string(maxsize));
}

StringResult analyse_strings(const PeriodicBox &box, const FrameAtoms &atoms, const StringOptions &options)
{
  return analyse_strings(box, atoms, options, SerialCommunicator());
}

StringResult analyse_strings(const PeriodicBox &box, const FrameAtoms &atoms, const StringOptions &options,
                             const Communicator &comm)
{
  options.validate();
  box.validate();
  const int ntypes = options.delta.ntypes();
  check_frame_atoms(atoms, ntypes, options.remove_drift, "analyse_strings");
  const size_t n = atoms.size();
  StringResult result;

  // 1. Displacements and 2. mobile atoms: the same on any number of ranks.
  WindowDisplacements displacements = window_displacements(atoms, options.remove_drift, comm);
  result.drift = displacements.drift;
  result.mobile = select_mobile(atoms, displacements.u, options.criterion(), comm);
  result.displacement = std::move(displacements.u);
  const std::vector<double> &d = displacements.d;

  // 3. Every rank receives every mobile atom. This replaces ghost atoms out to delta + u_max.
  std::vector<MobileRecord> mine;
  std::vector<size_t> own_atoms;
  for (size_t i = 0; i < n; ++i) {
    if (!result.mobile[i]) continue;
    const auto f = box.wrapped_fractional(&atoms.current[3 * i]);
    mine.push_back({atoms.id[i], atoms.type[i], {f[0], f[1], f[2]}, {d[3 * i], d[3 * i + 1], d[3 * i + 2]}});
    own_atoms.push_back(i);
  }
  size_t first_own = 0;
  const std::vector<MobileRecord> all = allgather_records(comm, mine, first_own);
  const size_t n_mobile = all.size();
  result.gathered_bytes = int64_t(n_mobile * sizeof(MobileRecord));

  double u_max = 0.0;
  for (const auto &r : all)
    u_max = std::max(u_max, std::sqrt(r.displacement[0] * r.displacement[0] + r.displacement[1] * r.displacement[1] +
                                      r.displacement[2] * r.displacement[2]));
  const double reach = options.delta.max_value() + u_max;
  const auto width = box.perpendicular_width();
  for (int k = 0; k < 3; ++k)
    if (box.wraps(k) && !(reach <= width[k]))    // NaN (degenerate box) refuses too
      throw std::invalid_argument("analyse_strings: delta + largest mobile displacement (" + std::to_string(reach) +
                                  ") exceeds the box width (" + std::to_string(width[k]) +
                                  "); use a shorter window or a larger box");

  // 4. Pair test over the gathered set: one point per mobile atom, then its periodic images.
  MobilePoints points;
  std::vector<size_t> record_of_point;
  for (size_t r = 0; r < n_mobile; ++r) {
    const std::array<double, 3> f{all[r].fractional[0], all[r].fractional[1], all[r].fractional[2]};
    points.add(box.to_cartesian(f).data(), all[r].displacement, int(all[r].type));
    record_of_point.push_back(r);
  }
  points.n_owned = points.size();
  for (size_t r = 0; r < n_mobile; ++r) {
    const std::array<double, 3> f{all[r].fractional[0], all[r].fractional[1], all[r].fractional[2]};
    const size_t before = points.size();
    for (const auto &image : box.images_near(f, reach)) points.add(image.data(), all[r].displacement, int(all[r].type));
    record_of_point.insert(record_of_point.end(), points.size() - before, r);
  }

  DisjointSet components(n_mobile);
  std::vector<char> linked(n_mobile, 0);
  if (reach > 0.0)
    for (const auto &link : find_string_links(points, options.delta, reach)) {
      const size_t a = record_of_point[link.first], b = record_of_point[link.second];
      if (a == b) continue;    // an atom near its own image: not a pair of atoms
      linked[a] = linked[b] = 1;
      components.unite(a, b);
    }

  // 5. Labels (smallest atom id) and sizes of the strings.
  std::unordered_map<size_t, int64_t> label_of_root, size_of_root;
  for (size_t r = 0; r < n_mobile; ++r)
    if (linked[r]) {
      const size_t root = components.find(r);
      auto it = label_of_root.find(root);
      if (it == label_of_root.end()) label_of_root[root] = all[r].id;
      else it->second = std::min(it->second, all[r].id);
      ++size_of_root[root];
    }

  // 6. Global tallies from the gathered set (identical on every rank, no further reduction).
  result.fast_by_type.assign(ntypes, 0);
  result.string_by_type.assign(ntypes, 0);
  result.long_by_type.assign(ntypes, 0);
  std::vector<int64_t> record_label(n_mobile, 0), record_size(n_mobile, 1);
  for (size_t r = 0; r < n_mobile; ++r) {
    const size_t t = size_t(all[r].type - 1);
    ++result.fast_by_type[t];
    if (!linked[r]) continue;
    const size_t root = components.find(r);
    record_label[r] = label_of_root[root];
    record_size[r] = size_of_root[root];
    ++result.string_by_type[t];
    if (record_size[r] >= options.long_threshold) ++result.long_by_type[t];
  }
  std::vector<int64_t> sizes;
  sizes.reserve(size_of_root.size());
  for (const auto &entry : size_of_root) sizes.push_back(entry.second);
  result.summary = summarise_strings(sizes, int64_t(n_mobile), options.long_threshold, options.maxsize);

  // 7. This rank's atoms: its records are the block starting at first_own, in its order.
  result.string_id.assign(n, 0);
  result.string_size.assign(n, 0);
  for (size_t k = 0; k < own_atoms.size(); ++k) {
    result.string_id[own_atoms[k]] = record_label[first_own + k];
    result.string_size[own_atoms[k]] = record_size[first_own + k];
  }
  return result;
}

}    // namespace glassdyn
