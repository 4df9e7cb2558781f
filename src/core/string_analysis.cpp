#include "string_analysis.hpp"

#include "disjoint_set.hpp"
#include "string_links.hpp"
#include "top_selection.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace glassdyn {

int64_t mobile_count(double fraction, int64_t group_size)
{
  return std::llround(fraction * double(group_size));
}

void check_frame_atoms(const FrameAtoms &atoms, int ntypes, bool with_mass, const std::string &who)
{
  const size_t n = atoms.id.size();
  if (atoms.type.size() != n || (with_mass && atoms.mass.size() != n) || atoms.in_group.size() != n ||
      atoms.reference.size() != 3 * n || atoms.current.size() != 3 * n)
    throw std::invalid_argument(who + ": per-atom arrays differ in length");
  for (size_t i = 0; i < n; ++i) {
    const int t = atoms.type[i];
    if (t < 1 || t > ntypes)
      throw std::invalid_argument(who + ": atom type " + std::to_string(t) + " outside 1.." + std::to_string(ntypes));
    // A label of 0 means "no string", so ids start at 1 as in LAMMPS.
    if (atoms.id[i] < 1) throw std::invalid_argument(who + ": atom ids must be >= 1");
    // A NaN position would pass every distance test as "not closer" and still be selected
    // as the most mobile atom; refuse it before it reaches a cell index.
    for (int k = 0; k < 3; ++k)
      if (!std::isfinite(atoms.reference[3 * i + k]) || !std::isfinite(atoms.current[3 * i + k]))
        throw std::invalid_argument(who + ": positions must be finite (atom id " + std::to_string(atoms.id[i]) + ")");
    if (with_mass && !(atoms.mass[i] > 0.0 && std::isfinite(atoms.mass[i])))
      throw std::invalid_argument(who + ": masses must be finite and > 0 (atom id " + std::to_string(atoms.id[i]) +
                                  ")");
  }
}

StringResult analyse_strings(const PeriodicBox &box, const FrameAtoms &atoms, const StringOptions &options)
{
  box.validate();
  check_frame_atoms(atoms, options.delta.ntypes(), options.remove_drift, "analyse_strings");
  const size_t n = atoms.id.size();
  StringResult result;

  std::vector<double> d(3 * n);
  for (size_t i = 0; i < 3 * n; ++i) d[i] = atoms.current[i] - atoms.reference[i];
  if (options.remove_drift) {
    double mass = 0.0, moment[3] = {0.0, 0.0, 0.0};
    for (size_t i = 0; i < n; ++i)
      if (atoms.in_group[i]) {
        mass += atoms.mass[i];
        for (int k = 0; k < 3; ++k) moment[k] += atoms.mass[i] * d[3 * i + k];
      }
    if (mass > 0.0)
      for (int k = 0; k < 3; ++k) result.drift[k] = moment[k] / mass;
    for (size_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) d[3 * i + k] -= result.drift[k];
  }

  result.displacement.assign(n, 0.0);
  std::vector<double> group_u;
  std::vector<int64_t> group_id;
  std::vector<size_t> group_index;
  for (size_t i = 0; i < n; ++i) {
    if (!atoms.in_group[i]) continue;
    const double *di = &d[3 * i];
    result.displacement[i] = std::sqrt(di[0] * di[0] + di[1] * di[1] + di[2] * di[2]);
    group_u.push_back(result.displacement[i]);
    group_id.push_back(atoms.id[i]);
    group_index.push_back(i);
  }

  result.mobile.assign(n, 0);
  if (options.select_by_fraction) {
    const auto chosen = select_largest(group_u, group_id, mobile_count(options.fraction, int64_t(group_u.size())),
                                       LocalSum());
    for (size_t g = 0; g < group_index.size(); ++g) result.mobile[group_index[g]] = chosen[g];
  } else {
    for (size_t g = 0; g < group_index.size(); ++g)
      result.mobile[group_index[g]] = group_u[g] >= options.u_low && group_u[g] <= options.u_high;
  }

  double u_max = 0.0;
  for (size_t i = 0; i < n; ++i)
    if (result.mobile[i]) u_max = std::max(u_max, result.displacement[i]);
  const double reach = options.delta.max_value() + u_max;
  const auto width = box.perpendicular_width();
  for (int k = 0; k < 3; ++k)
    if (box.wraps(k) && !(reach <= width[k]))    // NaN (degenerate box) refuses too
      throw std::invalid_argument("analyse_strings: delta + largest mobile displacement (" + std::to_string(reach) +
                                  ") exceeds the box width (" + std::to_string(width[k]) +
                                  "); use a shorter window or a larger box");

  // Owned points first (one per mobile atom, wrapped into the box), then their images.
  MobilePoints points;
  std::vector<size_t> atom_of_point;
  std::vector<std::array<double, 3>> fractional;
  for (size_t i = 0; i < n; ++i) {
    if (!result.mobile[i]) continue;
    const auto f = box.wrapped_fractional(&atoms.current[3 * i]);
    points.add(box.to_cartesian(f).data(), &d[3 * i], atoms.type[i]);
    atom_of_point.push_back(i);
    fractional.push_back(f);
  }
  points.n_owned = points.size();
  for (size_t p = 0; p < points.n_owned; ++p) {
    const size_t before = points.size();
    for (const auto &image : box.images_near(fractional[p], reach))
      points.add(image.data(), &d[3 * atom_of_point[p]], points.type[p]);
    atom_of_point.insert(atom_of_point.end(), points.size() - before, atom_of_point[p]);
  }

  DisjointSet components(n);
  std::vector<char> linked(n, 0);
  if (reach > 0.0)
    for (const auto &link : find_string_links(points, options.delta, reach)) {
      const size_t a = atom_of_point[link.first], b = atom_of_point[link.second];
      if (a == b) continue;    // an atom near its own image: not a pair of atoms
      linked[a] = linked[b] = 1;
      components.unite(a, b);
    }

  std::unordered_map<size_t, int64_t> label_of_root, size_of_root;
  for (size_t i = 0; i < n; ++i)
    if (linked[i]) {
      const size_t root = components.find(i);
      auto it = label_of_root.find(root);
      if (it == label_of_root.end()) label_of_root[root] = atoms.id[i];
      else it->second = std::min(it->second, atoms.id[i]);
      ++size_of_root[root];
    }

  const int ntypes = options.delta.ntypes();
  result.fast_by_type.assign(ntypes, 0);
  result.string_by_type.assign(ntypes, 0);
  result.long_by_type.assign(ntypes, 0);
  result.string_id.assign(n, 0);
  result.string_size.assign(n, 0);
  int64_t n_fast = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!result.mobile[i]) continue;
    ++n_fast;
    ++result.fast_by_type[atoms.type[i] - 1];
    if (!linked[i]) {
      result.string_size[i] = 1;
      continue;
    }
    const size_t root = components.find(i);
    result.string_id[i] = label_of_root[root];
    result.string_size[i] = size_of_root[root];
    ++result.string_by_type[atoms.type[i] - 1];
    if (result.string_size[i] >= options.long_threshold) ++result.long_by_type[atoms.type[i] - 1];
  }
  std::vector<int64_t> sizes;
  for (const auto &entry : size_of_root) sizes.push_back(entry.second);
  result.summary = summarise_strings(sizes, n_fast, options.long_threshold, options.maxsize);
  return result;
}

}    // namespace glassdyn
