#include "percolation.hpp"

#include "cell_grid.hpp"
#include "mobile_selection.hpp"
#include "number_text.hpp"
#include "top_selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace glassdyn {

namespace {

using Shift = std::array<int, 3>;

// Union-find whose every node knows its periodic-image shift relative to its parent, so that
// find() also returns the shift of a site relative to its root (see percolation.hpp).
class ShiftedDisjointSet {
 public:
  explicit ShiftedDisjointSet(size_t n) : parent_(n), shift_(n, Shift{0, 0, 0}), size_(n, 1), wraps_(n)
  {
    std::iota(parent_.begin(), parent_.end(), size_t(0));
    for (auto &w : wraps_) w = {false, false, false};
  }

  size_t find(size_t i, Shift &to_root)
  {
    size_t root = i;
    Shift total{0, 0, 0};
    while (parent_[root] != root) {
      for (int k = 0; k < 3; ++k) total[k] += shift_[root][k];
      root = parent_[root];
    }
    // Path compression: every node on the path now points at the root with its total shift.
    Shift remaining = total;
    for (size_t x = i; parent_[x] != x;) {
      const size_t next = parent_[x];
      const Shift own = shift_[x];
      parent_[x] = root;
      shift_[x] = remaining;
      for (int k = 0; k < 3; ++k) remaining[k] -= own[k];
      x = next;
    }
    to_root = total;
    return root;
  }

  // Site b's image shifted by `s` is bonded to site a.
  void bond(size_t a, size_t b, const Shift &s)
  {
    Shift sa, sb;
    const size_t ra = find(a, sa), rb = find(b, sb);
    Shift net;
    for (int k = 0; k < 3; ++k) net[k] = sa[k] + s[k] - sb[k];
    if (ra == rb) {    // a cycle: a non-zero net shift reaches the cluster's own image
      for (int k = 0; k < 3; ++k) wraps_[ra][k] = wraps_[ra][k] || net[k] != 0;
      return;
    }
    // Attach the smaller tree; the shift keeps b at sa + s in a's frame.
    if (size_[ra] >= size_[rb]) attach(rb, ra, net);
    else attach(ra, rb, Shift{-net[0], -net[1], -net[2]});
  }

  const std::array<bool, 3> &wraps(size_t root) const { return wraps_[root]; }

 private:
  void attach(size_t child, size_t root, const Shift &shift)
  {
    parent_[child] = root;
    shift_[child] = shift;
    size_[root] += size_[child];
    for (int k = 0; k < 3; ++k) wraps_[root][k] = wraps_[root][k] || wraps_[child][k];
  }

  std::vector<size_t> parent_;
  std::vector<Shift> shift_;
  std::vector<size_t> size_;
  std::vector<std::array<bool, 3>> wraps_;
};

void check_sites(const PercolationSites &sites, const PairTable &cutoff)
{
  const size_t n = sites.size();
  if (sites.type.size() != n || sites.position.size() != 3 * n)
    throw std::invalid_argument("percolation: ids, types and positions differ in length");
  for (size_t i = 0; i < n; ++i) {
    if (sites.id[i] < 1) throw std::invalid_argument("percolation: site ids must be >= 1");
    if (sites.type[i] < 1 || sites.type[i] > cutoff.ntypes())
      throw std::invalid_argument("percolation: site type " + std::to_string(sites.type[i]) + " outside 1.." +
                                  std::to_string(cutoff.ntypes()));
    for (int k = 0; k < 3; ++k)
      if (!std::isfinite(sites.position[3 * i + k])) throw std::invalid_argument("percolation: positions must be finite");
  }
}

double squared(double x) { return x * x; }

}    // namespace

ClusterSet find_clusters(const PeriodicBox &box, const PercolationSites &sites, const PairTable &cutoff)
{
  box.validate();
  check_sites(sites, cutoff);
  const size_t n = sites.size();
  const double reach = cutoff.max_value();
  const auto width = box.perpendicular_width();
  for (int k = 0; k < 3; ++k)
    if (box.wraps(k) && !(reach < width[k]))
      throw std::invalid_argument("cutoff: the largest cutoff (" + number_text(reach) +
                                  ") must be below every periodic box width (" + number_text(width[k]) + ")");

  // Points: every site in its wrapped position, then the images of it within `reach` of the box,
  // each with its integer shift.
  std::vector<std::array<double, 3>> fractional(n);
  std::vector<double> points;
  points.reserve(3 * n);
  for (size_t i = 0; i < n; ++i) {
    fractional[i] = box.wrapped_fractional(&sites.position[3 * i]);
    const auto x = box.to_cartesian(fractional[i]);
    points.insert(points.end(), x.begin(), x.end());
  }
  std::vector<size_t> site_of_image;
  std::vector<Shift> shift_of_image;
  int span[3];
  for (int k = 0; k < 3; ++k) span[k] = box.wraps(k) ? 1 : 0;
  for (size_t i = 0; i < n; ++i)
    for (int sz = -span[2]; sz <= span[2]; ++sz)
      for (int sy = -span[1]; sy <= span[1]; ++sy)
        for (int sx = -span[0]; sx <= span[0]; ++sx) {
          if (sx == 0 && sy == 0 && sz == 0) continue;
          const std::array<double, 3> f{fractional[i][0] + sx, fractional[i][1] + sy, fractional[i][2] + sz};
          bool near = true;
          for (int k = 0; k < 3; ++k) near = near && f[k] >= -reach / width[k] && f[k] <= 1.0 + reach / width[k];
          if (!near) continue;
          const auto x = box.to_cartesian(f);
          points.insert(points.end(), x.begin(), x.end());
          site_of_image.push_back(i);
          shift_of_image.push_back({sx, sy, sz});
        }

  ShiftedDisjointSet set(n);
  if (n > 0 && reach > 0.0) {
    const CellGrid grid(points, reach);
    for (size_t i = 0; i < n; ++i) {
      grid.for_each_candidate(i, [&](size_t p) {
        const size_t j = p < n ? p : site_of_image[p - n];
        // Each bond once: (i, image of j) is the same bond as (j, image of i).
        if (j <= i) return;
        const double r2 = squared(points[3 * i] - points[3 * p]) + squared(points[3 * i + 1] - points[3 * p + 1]) +
                          squared(points[3 * i + 2] - points[3 * p + 2]);
        if (r2 >= squared(cutoff.get(sites.type[i], sites.type[j]))) return;
        set.bond(i, j, p < n ? Shift{0, 0, 0} : shift_of_image[p - n]);
      });
    }
  }

  // Clusters: labels, sizes, wrap flags, then R_g from the unwrapped members.
  ClusterSet result;
  const size_t none = std::numeric_limits<size_t>::max();
  std::vector<size_t> cluster_of_root(n, none);
  std::vector<Shift> to_root(n);
  std::vector<size_t> root_of(n);
  for (size_t i = 0; i < n; ++i) {
    root_of[i] = set.find(i, to_root[i]);
    size_t &c = cluster_of_root[root_of[i]];
    if (c == none) {
      c = result.clusters.size();
      Cluster cluster;
      cluster.label = sites.id[i];
      cluster.wraps = set.wraps(root_of[i]);
      result.clusters.push_back(cluster);
    }
    Cluster &cluster = result.clusters[c];
    cluster.label = std::min(cluster.label, sites.id[i]);
    ++cluster.size;
  }
  std::vector<std::array<double, 3>> unwrapped(n), centre(result.clusters.size(), {0.0, 0.0, 0.0});
  for (size_t i = 0; i < n; ++i) {
    const Shift &s = to_root[i];
    unwrapped[i] = box.to_cartesian({fractional[i][0] + s[0], fractional[i][1] + s[1], fractional[i][2] + s[2]});
    for (int k = 0; k < 3; ++k) centre[cluster_of_root[root_of[i]]][k] += unwrapped[i][k];
  }
  for (size_t c = 0; c < centre.size(); ++c)
    for (int k = 0; k < 3; ++k) centre[c][k] /= double(result.clusters[c].size);
  std::vector<double> spread(result.clusters.size(), 0.0);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = cluster_of_root[root_of[i]];
    for (int k = 0; k < 3; ++k) spread[c] += squared(unwrapped[i][k] - centre[c][k]);
  }
  for (size_t c = 0; c < spread.size(); ++c) {
    Cluster &cluster = result.clusters[c];
    cluster.radius_of_gyration = cluster.wraps_any() ? std::numeric_limits<double>::quiet_NaN()
                                                     : std::sqrt(spread[c] / double(cluster.size));
  }

  // Order clusters by label, so the set does not depend on the order of the sites.
  std::vector<size_t> order(result.clusters.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return result.clusters[a].label < result.clusters[b].label; });
  std::vector<size_t> rank(order.size());
  std::vector<Cluster> sorted(order.size());
  for (size_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    sorted[r] = result.clusters[order[r]];
  }
  result.clusters = std::move(sorted);
  result.cluster_of_site.resize(n);
  for (size_t i = 0; i < n; ++i) result.cluster_of_site[i] = rank[cluster_of_root[root_of[i]]];
  return result;
}

FractalFit fit_fractal_dimension(const std::vector<Cluster> &clusters, int64_t min_size)
{
  // log R_g is regressed on log N_s (N_s is exact, the scatter is in R_g at given size), and
  // d_f = 1 / slope. The reverse regression would bias d_f low by the scatter of R_g.
  std::vector<double> x, y;
  for (const Cluster &c : clusters)
    if (!c.wraps_any() && c.size >= std::max<int64_t>(min_size, 2) && c.radius_of_gyration > 0.0) {
      x.push_back(std::log(double(c.size)));
      y.push_back(std::log(c.radius_of_gyration));
    }
  FractalFit fit;
  fit.clusters = int64_t(x.size());
  if (x.size() < 3) return fit;
  const double n = double(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0.0, sxy = 0.0;
  for (size_t k = 0; k < x.size(); ++k) {
    sxx += squared(x[k] - mx);
    sxy += (x[k] - mx) * (y[k] - my);
  }
  if (!(sxx > 0.0) || !(sxy > 0.0)) return fit;
  const double slope = sxy / sxx;
  double residual = 0.0;
  for (size_t k = 0; k < x.size(); ++k) residual += squared(y[k] - my - slope * (x[k] - mx));
  fit.dimension = 1.0 / slope;
  fit.error = std::sqrt(residual / (n - 2.0) / sxx) / (slope * slope);    // propagated from the slope's error
  return fit;
}

ClassSummary summarise_clusters(const ClusterSet &set, int64_t group_size, int64_t maxsize, int64_t fractal_min_size)
{
  if (maxsize < 1) throw std::invalid_argument("maxsize: M must be an integer >= 1");
  ClassSummary s;
  s.size_counts.assign(size_t(maxsize), 0);
  s.size_radius.assign(size_t(maxsize), 0.0);
  std::vector<int64_t> radius_count(size_t(maxsize), 0);
  s.n_clusters = int64_t(set.clusters.size());
  size_t largest_index = 0;
  for (size_t c = 0; c < set.clusters.size(); ++c) {
    const Cluster &cluster = set.clusters[c];
    s.members += cluster.size;
    if (cluster.size > s.largest) {
      s.largest = cluster.size;
      largest_index = c;
    }
    for (int k = 0; k < 3; ++k) s.wraps[k] = s.wraps[k] || cluster.wraps[k];
    const size_t row = size_t(std::min(cluster.size, maxsize) - 1);
    ++s.size_counts[row];
    if (!cluster.wraps_any()) {
      s.size_radius[row] += cluster.radius_of_gyration;
      ++radius_count[row];
    }
  }
  for (size_t row = 0; row < s.size_radius.size(); ++row)
    if (radius_count[row] > 0) s.size_radius[row] /= double(radius_count[row]);
  s.wraps_any = s.wraps[0] || s.wraps[1] || s.wraps[2];
  s.fraction = group_size > 0 ? double(s.members) / double(group_size) : 0.0;
  s.largest_fraction = s.members > 0 ? double(s.largest) / double(s.members) : 0.0;
  s.largest_group_fraction = group_size > 0 ? double(s.largest) / double(group_size) : 0.0;
  double first = 0.0, second = 0.0;
  for (size_t c = 0; c < set.clusters.size(); ++c)
    if (c != largest_index) {
      first += double(set.clusters[c].size);
      second += squared(double(set.clusters[c].size));
    }
  s.susceptibility = first > 0.0 ? second / first : 0.0;
  s.fractal = fit_fractal_dimension(set.clusters, fractal_min_size);
  return s;
}

// ---------------------------------------------------------------- the dynamic classes of a window

namespace {

void validate_criterion(const ClassCriterion &c, const char *keyword, const char *threshold_keyword)
{
  const std::string name(keyword);
  if (c.by_fraction) {
    if (!(c.fraction > 0.0 && c.fraction < 1.0))
      throw std::invalid_argument(name + ": fraction F must be in (0,1), got " + number_text(c.fraction));
  } else if (!(c.threshold >= 0.0) || !std::isfinite(c.threshold)) {
    throw std::invalid_argument(name + ": " + threshold_keyword + " U must be a finite distance >= 0, got " +
                                number_text(c.threshold));
  }
}

// What travels between ranks for one class atom. Fractional coordinates so that every rank
// builds bit-identical positions from them.
struct ClassRecord {
  int64_t id;
  int32_t type;
  int32_t atom_class;
  double fractional[3];    // r(t0) wrapped into the box at t0
};
static_assert(sizeof(ClassRecord) == PERCOLATION_RECORD_BYTES, "document the exchange size");

std::vector<char> select_class(const std::vector<double> &value, const std::vector<int64_t> &id, int64_t group_size,
                               const ClassCriterion &c, bool mobile, const Communicator &comm)
{
  if (c.by_fraction) {
    std::vector<double> key(value);
    if (!mobile)
      for (double &v : key) v = -v;    // the smallest u are the largest -u; ties still by ascending id
    return select_largest(key, id, mobile_count(c.fraction, group_size), comm);
  }
  std::vector<char> chosen(value.size());
  for (size_t g = 0; g < value.size(); ++g) chosen[g] = mobile ? value[g] > c.threshold : value[g] < c.threshold;
  return chosen;
}

}    // namespace

void PercolationOptions::validate() const
{
  if (cutoff.ntypes() < 1) throw std::invalid_argument("cutoff: no atom types (ntypes must be >= 1)");
  for (int i = 1; i <= cutoff.ntypes(); ++i)
    for (int j = i; j <= cutoff.ntypes(); ++j)
      if (!(cutoff.get(i, j) > 0.0) || !std::isfinite(cutoff.get(i, j)))
        throw std::invalid_argument("cutoff: RC must be > 0 (a finite distance), got " + number_text(cutoff.get(i, j)) +
                                    " for types " + std::to_string(i) + " " + std::to_string(j));
  validate_criterion(mobile, "mobile", "above");
  validate_criterion(immobile, "immobile", "below");
  if (mobile.by_fraction && immobile.by_fraction && mobile.fraction + immobile.fraction > 1.0)
    throw std::invalid_argument("immobile: the mobile and immobile fractions must sum to <= 1, got " +
                                number_text(mobile.fraction) + " + " + number_text(immobile.fraction));
  if (!mobile.by_fraction && !immobile.by_fraction && immobile.threshold > mobile.threshold)
    throw std::invalid_argument("immobile: below U must not exceed mobile's above U, got " +
                                number_text(immobile.threshold) + " > " + number_text(mobile.threshold));
  if (maxsize < 1 || maxsize > MAX_MAXSIZE)
    throw std::invalid_argument("maxsize: M must be an integer in 1.." + std::to_string(MAX_MAXSIZE) + ", got " +
                                std::to_string(maxsize));
  if (fractal_min_size < 2)
    throw std::invalid_argument("dfmin: the smallest cluster size in the d_f fit must be an integer >= 2, got " +
                                std::to_string(fractal_min_size));
}

PercolationResult analyse_percolation(const PeriodicBox &box_t0, const std::vector<int64_t> &id,
                                      const std::vector<int> &type, const std::vector<char> &in_group,
                                      const std::vector<double> &reference, const std::vector<double> &u,
                                      const PercolationOptions &options, const Communicator &comm)
{
  options.validate();
  box_t0.validate();
  const size_t n = id.size();
  if (type.size() != n || in_group.size() != n || reference.size() != 3 * n || u.size() != n)
    throw std::invalid_argument("analyse_percolation: per-atom arrays differ in length");
  PercolationResult result;

  // 1. The classes, the same on any number of ranks.
  std::vector<double> group_u;
  std::vector<int64_t> group_id;
  std::vector<size_t> group_index;
  for (size_t i = 0; i < n; ++i)
    if (in_group[i]) {
      if (!std::isfinite(u[i])) throw std::invalid_argument("analyse_percolation: displacements must be finite");
      group_u.push_back(u[i]);
      group_id.push_back(id[i]);
      group_index.push_back(i);
    }
  int64_t group_size = int64_t(group_u.size());
  comm.sum(&group_size, 1);
  result.group_size = group_size;
  const auto mobile = select_class(group_u, group_id, group_size, options.mobile, true, comm);
  const auto immobile = select_class(group_u, group_id, group_size, options.immobile, false, comm);
  result.atom_class.assign(n, NEITHER);
  // Only a fraction mixed with a threshold can select an atom twice; it then counts as mobile.
  for (size_t g = 0; g < group_index.size(); ++g)
    result.atom_class[group_index[g]] = mobile[g] ? MOBILE : (immobile[g] ? IMMOBILE : NEITHER);

  // 2. Every rank receives every class atom (no ghost atoms, no dependence on the decomposition).
  std::vector<ClassRecord> mine;
  for (size_t i = 0; i < n; ++i) {
    if (result.atom_class[i] == NEITHER) continue;
    const auto f = box_t0.wrapped_fractional(&reference[3 * i]);
    mine.push_back({id[i], int32_t(type[i]), int32_t(result.atom_class[i]), {f[0], f[1], f[2]}});
  }
  size_t first_own = 0;
  std::vector<ClassRecord> all = allgather_records(comm, mine, first_own);
  result.gathered_bytes = int64_t(all.size() * sizeof(ClassRecord));
  std::sort(all.begin(), all.end(), [](const ClassRecord &a, const ClassRecord &b) { return a.id < b.id; });

  // 3. The clusters of each class, from the id-sorted records (bit-identical on every rank).
  const int classes[2] = {MOBILE, IMMOBILE};
  std::array<PercolationSites, 2> sites;
  std::array<ClusterSet, 2> sets;
  for (int c = 0; c < 2; ++c) {
    for (const ClassRecord &r : all)
      if (r.atom_class == classes[c]) {
        sites[c].id.push_back(r.id);
        sites[c].type.push_back(r.type);
        const auto x = box_t0.to_cartesian({r.fractional[0], r.fractional[1], r.fractional[2]});
        sites[c].position.insert(sites[c].position.end(), x.begin(), x.end());
      }
    sets[c] = find_clusters(box_t0, sites[c], options.cutoff);
    result.classes[c] = summarise_clusters(sets[c], group_size, options.maxsize, options.fractal_min_size);
  }

  // 4. This rank's atoms, looked up by id in their class's sorted sites.
  result.cluster_id.assign(n, 0);
  result.cluster_size.assign(n, 0);
  result.wraps.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (result.atom_class[i] == NEITHER) continue;
    const int c = result.atom_class[i] == MOBILE ? 0 : 1;
    const auto &ids = sites[c].id;
    const size_t s = size_t(std::lower_bound(ids.begin(), ids.end(), id[i]) - ids.begin());
    const Cluster &cluster = sets[c].clusters[sets[c].cluster_of_site[s]];
    result.cluster_id[i] = cluster.label;
    result.cluster_size[i] = cluster.size;
    result.wraps[i] = cluster.wraps_any() ? 1 : 0;
  }
  return result;
}

}    // namespace glassdyn
