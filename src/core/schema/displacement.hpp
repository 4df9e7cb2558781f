/* glassdyn: outputs of compute displacement/distribution (filled in
   src/plugin/compute_displacement_distribution.cpp, offline in
   glassdyn.analysis.DisplacementDistribution). See layout.hpp for what a declaration is.

   Both outputs depend on the number of atom types: there are ntypes + 1 sets (set 0 = all
   counted atoms, set t = atoms of type t). The vector repeats its four values once per set
   (value k of set s at 4 s + k); array columns marked per_set repeat in place, one per set. */

#ifndef GLASSDYN_SCHEMA_DISPLACEMENT_HPP
#define GLASSDYN_SCHEMA_DISPLACEMENT_HPP

#include "layout.hpp"

namespace glassdyn::schema::displacement {

inline constexpr auto vector = layout("displacement/distribution", "vector", "", true, {
    {"u_mean", "length", "mean u"},
    {"u_most_probable", "length", "most probable u: centre of the fullest linear bin (lowest on ties)"},
    {"u_beyond_fraction", "fraction", "fraction of atoms with u > B (`beyond`)"},
    {"u_outside_fraction", "fraction", "fraction of atoms with u >= U (`umax`), i.e. outside the linear histogram"},
});

inline constexpr auto array = layout("displacement/distribution", "array", "bins rows: row I is bin I of both "
                                     "histograms", false, {
    {"u", "length", "u at the bin centre, (I - 1/2) U / bins"},
    {"p_u", "1/length", "p(u) of set s (s = 0 ... ntypes)", true},
    {"log10_u", "1", "log10 u at the bin centre, L + (I - 1/2) (log10 U - L) / bins"},
    {"p_log10_u", "1", "p(log10 u) of set s (s = 0 ... ntypes), per decade", true},
});

static_assert(vector.well_formed() && array.well_formed(), "unique column names");

}    // namespace glassdyn::schema::displacement

#endif
