/* glassdyn: outputs of compute cage/atom (filled in src/plugin/compute_cage_atom.cpp, offline in
   glassdyn.analysis.Cages). See layout.hpp for what a declaration is. */

#ifndef GLASSDYN_SCHEMA_CAGES_HPP
#define GLASSDYN_SCHEMA_CAGES_HPP

#include "layout.hpp"

namespace glassdyn::schema::cages {

// Averages over the analysed atoms (group atoms that had a cage at the window start).
inline constexpr auto vector = layout("cage/atom", "vector", "", false, {
    {"fraction_broken", "fraction", "C: fraction of the group with a broken cage"},
    {"mean_lost", "count", "mean number of neighbours lost, <n_lost>"},
    {"mean_cage", "count", "mean cage size, <n_cage>"},
});

// The global vector's quantities per atom type, under the same names.
inline constexpr auto array = layout("cage/atom", "array", "ntypes rows: row I is atom type I", false, {
    {"type", "index", "atom type I"},
    {"n_analysed", "count", "number of analysed atoms of type I"},
    {"fraction_broken", "fraction", "fraction of those atoms with a broken cage, C for type I"},
    {"mean_lost", "count", "their mean number of neighbours lost"},
    {"mean_cage", "count", "their mean cage size"},
});

inline constexpr auto peratom = layout("cage/atom", "peratom", "", false, {
    {"n_cage", "count", "n_cage: number of neighbours at the window start (cage size)"},
    {"n_lost", "count", "n_lost: number of those neighbours lost by the window end"},
    {"broken", "flag", "broken flag: 1 if n_lost >= nlost, else 0"},
    {"analysed", "flag", "analysed flag: 1 if the atom had a cage (n_cage > 0), i.e. it counts in C, else 0"},
    {"fraction_lost", "fraction", "fraction of the cage lost, n_lost / n_cage (0 without a cage)"},
});

static_assert(vector.well_formed() && array.well_formed() && peratom.well_formed(), "unique column names");
// LAMMPS expands a per-atom wildcard c_ID[*] to the global array's column count (issue 10).
static_assert(peratom.size() == array.size(), "per-atom array as wide as the global array");

}    // namespace glassdyn::schema::cages

#endif
