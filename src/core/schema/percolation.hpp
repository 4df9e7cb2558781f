/* glassdyn: outputs of compute percolation/atom (filled in src/plugin/compute_percolation_atom.cpp,
   offline in glassdyn.analysis.Percolation). See layout.hpp for what a declaration is.

   The global vector holds one block of columns for the mobile class, then the same block for the
   immobile class (explicit names, so every reader finds them by name). */

#ifndef GLASSDYN_SCHEMA_PERCOLATION_HPP
#define GLASSDYN_SCHEMA_PERCOLATION_HPP

#include "layout.hpp"

namespace glassdyn::schema::percolation {

// clang-format off
#define GLASSDYN_PERCOLATION_CLASS_COLUMNS(P, WHO)                                                                  \
    {P "fraction", "fraction", "fraction of the group in the " WHO " class"},                                      \
    {P "n_clusters", "count", "number of " WHO " clusters (isolated atoms count as clusters of size 1)"},          \
    {P "largest_fraction", "fraction", "size of the largest " WHO " cluster / number of " WHO " atoms (0 if none)"}, \
    {P "largest_group_fraction", "fraction", "size of the largest " WHO " cluster / number of group atoms"},       \
    {P "wraps_x", "flag", "1 if a " WHO " cluster wraps along the first box vector (x)"},                         \
    {P "wraps_y", "flag", "1 if a " WHO " cluster wraps along the second box vector (y)"},                        \
    {P "wraps_z", "flag", "1 if a " WHO " cluster wraps along the third box vector (z)"},                         \
    {P "wraps_any", "flag", "1 if a " WHO " cluster wraps along any box vector (the class percolates)"},          \
    {P "susceptibility", "count", "mean " WHO " cluster size without the largest cluster, sum s^2 n_s / sum s n_s"}, \
    {P "fractal_dimension", "1", "d_f of N_s ~ R_g^d_f (fit of log R_g on log N_s) over non-wrapping " WHO " clusters with " \
                                 "N_s >= dfmin (0 if fewer than 3)"},                                            \
    {P "fractal_dimension_error", "1", "standard error of that d_f (0 if fewer than 3 clusters)"},                 \
    {P "fractal_clusters", "count", "number of " WHO " clusters in the d_f fit"}
// clang-format on

inline constexpr auto vector = layout("percolation/atom", "vector", "", false, {
    GLASSDYN_PERCOLATION_CLASS_COLUMNS("mobile_", "mobile"),
    GLASSDYN_PERCOLATION_CLASS_COLUMNS("immobile_", "immobile"),
});

#undef GLASSDYN_PERCOLATION_CLASS_COLUMNS

inline constexpr auto array = layout("percolation/atom", "array",
    "M rows: row I is cluster size s = I; row M also counts clusters larger than M", false, {
    {"size", "index", "cluster size s = I"},
    {"n_mobile", "count", "number of mobile clusters of size s (row M: of size >= M)"},
    {"n_immobile", "count", "number of immobile clusters of size s (row M: of size >= M)"},
    {"rg_mobile", "length", "mean radius of gyration of the non-wrapping mobile clusters of that row (0 if none)"},
    {"rg_immobile", "length", "mean radius of gyration of the non-wrapping immobile clusters of that row (0 if none)"},
});

inline constexpr auto peratom = layout("percolation/atom", "peratom", "", false, {
    {"atom_class", "index", "class: 1 mobile, -1 immobile, 0 neither"},
    {"cluster_id", "index", "cluster ID: smallest atom ID of the atom's cluster (its class); 0 if neither"},
    {"cluster_size", "count", "size of the atom's cluster; 1 for an isolated class atom; 0 if neither"},
    {"wraps", "flag", "1 if the atom's cluster wraps along any box vector, else 0"},
    {"u", "length", "displacement u over the window, read from the SOURCE compute"},
});

static_assert(vector.well_formed() && array.well_formed() && peratom.well_formed(), "unique column names");
// LAMMPS expands a per-atom wildcard c_ID[*] to the global array's column count (issue 10).
static_assert(peratom.size() == array.size(), "per-atom array as wide as the global array");

}    // namespace glassdyn::schema::percolation

#endif
