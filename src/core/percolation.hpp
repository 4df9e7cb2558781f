// Clusters of occupied sites in a periodic box and whether they wrap around it (percolation),
// and the mobile/immobile double-percolation analysis of one window built on them.
//
// Wrapping: union-find keeps, for every site, its integer periodic-image shift relative to the
// root of its cluster (the lattice translation accumulated along the bonds of the tree). A bond
// that closes a cycle with a non-zero net shift means the cluster reaches its own periodic image:
// it is infinite in the periodic system and wraps along every lattice vector with a non-zero
// component of that shift. Integer shifts are the minimum-image bond vectors in lattice units,
// kept exact (no rounding of Cartesian sums), and they hold for triclinic boxes.
#pragma once

#include "communicator.hpp"
#include "pair_table.hpp"
#include "periodic_box.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace glassdyn {

// One set of occupied sites: ids >= 1, types 1..ntypes, Cartesian positions (any image).
struct PercolationSites {
  std::vector<int64_t> id;
  std::vector<int> type;
  std::vector<double> position;    // 3 per site

  size_t size() const { return id.size(); }
};

struct Cluster {
  int64_t label = 0;                  // smallest site id
  int64_t size = 0;
  std::array<bool, 3> wraps{false, false, false};    // along lattice vectors a, b, c
  double radius_of_gyration = 0.0;    // from the unwrapped members; NaN when the cluster wraps
  bool wraps_any() const { return wraps[0] || wraps[1] || wraps[2]; }
};

struct ClusterSet {
  std::vector<Cluster> clusters;         // ordered by label
  std::vector<size_t> cluster_of_site;   // index into clusters, per site
};

// Sites i and j are bonded when some periodic image of j lies closer than cutoff(type_i, type_j)
// to i. Every such image is found (so a site may bond to two images of another: that cluster
// wraps). Throws std::invalid_argument when sites are malformed or the largest cutoff is not
// below every periodic perpendicular box width.
ClusterSet find_clusters(const PeriodicBox &box, const PercolationSites &sites, const PairTable &cutoff);

// d_f of N_s ∝ R_g^d_f over the non-wrapping clusters with N_s >= min_size, from the least-squares
// line log R_g = log N_s / d_f + c and its standard error (propagated).
struct FractalFit {
  double dimension = 0.0, error = 0.0;    // 0 when fewer than 3 clusters or no spread in N_s
  int64_t clusters = 0;
};
FractalFit fit_fractal_dimension(const std::vector<Cluster> &clusters, int64_t min_size);

// The global observables of one class of sites.
struct ClassSummary {
  int64_t members = 0;
  double fraction = 0.0;                 // members / group size
  int64_t n_clusters = 0;
  int64_t largest = 0;
  double largest_fraction = 0.0;         // largest / members (0 if no member)
  double largest_group_fraction = 0.0;   // largest / group size
  std::array<bool, 3> wraps{false, false, false};
  bool wraps_any = false;
  // Weight-average size sum' s^2 n_s / sum' s n_s over every cluster but one largest (0 if none):
  // the finite-cluster mean size whose divergence at p_c is the percolation susceptibility.
  double susceptibility = 0.0;
  FractalFit fractal;
  std::vector<int64_t> size_counts;      // clusters of size 1..M, index M-1 also counts larger
  std::vector<double> size_radius;       // mean R_g of non-wrapping clusters of each row (0 if none)
};
ClassSummary summarise_clusters(const ClusterSet &set, int64_t group_size, int64_t maxsize, int64_t fractal_min_size);

// ---------------------------------------------------------------- the dynamic classes of a window

// How one class is chosen from the displacements u of the group.
struct ClassCriterion {
  bool by_fraction = true;    // the fraction of the group at the extreme of u ...
  double fraction = 0.15;
  double threshold = 0.0;     // ... or u > threshold (mobile) / u < threshold (immobile)
};

struct PercolationOptions {
  static constexpr int64_t MAX_MAXSIZE = 100000;    // bounds the global array

  PairTable cutoff;                 // bond distance per type pair, at the window start
  ClassCriterion mobile, immobile;
  int64_t maxsize = 50;
  int64_t fractal_min_size = 10;

  // Throws std::invalid_argument whose message starts with the input-script keyword ("cutoff",
  // "mobile", "immobile", "maxsize", "dfmin") and states the allowed values.
  void validate() const;
};

enum AtomClass : int { IMMOBILE = -1, NEITHER = 0, MOBILE = 1 };

struct PercolationResult {
  // Per atom given (a rank's owned atoms on the fly).
  std::vector<int> atom_class;              // MOBILE, IMMOBILE or NEITHER
  std::vector<int64_t> cluster_id;          // smallest atom id of the cluster, 0 if NEITHER
  std::vector<int64_t> cluster_size;        // 0 if NEITHER
  std::vector<char> wraps;                  // the atom's cluster wraps along any direction
  // Global, identical on every rank: index 0 mobile, 1 immobile.
  std::array<ClassSummary, 2> classes;
  int64_t group_size = 0;
  int64_t gathered_bytes = 0;               // bytes of class atoms every rank received
};

// Bytes one class atom costs in the exchange (id, type and class, wrapped fractional r(t0)).
constexpr size_t PERCOLATION_RECORD_BYTES = 40;

// One window end. `reference` holds r(t0) (3 per atom, any image) in `box_t0`, `u` the window
// displacement, `in_group` the analysed atoms. Collective over `comm`: the classes are selected
// rank-independently (ties by atom id), every rank gathers all class atoms and clusters them with
// find_clusters, so the result does not depend on the number of ranks.
PercolationResult analyse_percolation(const PeriodicBox &box_t0, const std::vector<int64_t> &id,
                                      const std::vector<int> &type, const std::vector<char> &in_group,
                                      const std::vector<double> &reference, const std::vector<double> &u,
                                      const PercolationOptions &options, const Communicator &comm);

}    // namespace glassdyn
