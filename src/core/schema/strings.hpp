/* glassdyn: outputs of compute stringlike/atom (filled in src/plugin/compute_stringlike_atom.cpp,
   offline in glassdyn.analysis.StringLike). See layout.hpp for what a declaration is. */

#ifndef GLASSDYN_SCHEMA_STRINGS_HPP
#define GLASSDYN_SCHEMA_STRINGS_HPP

#include "layout.hpp"

namespace glassdyn::schema::strings {

inline constexpr auto vector = layout("stringlike/atom", "vector", "", false, {
    {"n_fast", "count", "N_fast: number of mobile atoms"},
    {"n_str", "count", "N_str: number of atoms in strings (xi >= 2)"},
    {"n_long", "count", "N_long: number of atoms in strings with xi >= L (keyword `long`)"},
    {"n_strings", "count", "number of strings (xi >= 2)"},
    {"xi_number", "count", "number-average string size <xi>_n"},
    {"xi_weight", "count", "weight-average string size L_w"},
    {"str_fraction", "fraction", "N_str / N_fast (0 if N_fast = 0)"},
    {"long_fraction", "fraction", "N_long / N_str (0 if N_str = 0)"},
});

// Two tables side by side: a size table (columns xi, n_xi) and a per-type table.
inline constexpr auto array = layout("stringlike/atom", "array",
    "max(M+1, ntypes) rows: row I is string size xi = I (columns 1-2) and atom type I (columns 3-6)", false, {
    {"xi", "index", "xi = I for I <= M; the value M+1 in row M+1 stands for \"larger than M\""},
    {"n_xi", "count", "n(xi): number of clusters of size xi; row 1 counts isolated mobile atoms (xi = 1), row M+1 "
                      "counts strings with more than M atoms"},
    {"type", "index", "atom type I (rows I <= ntypes)"},
    {"n_fast", "count", "number of mobile atoms of type I"},
    {"n_str", "count", "number of string atoms (xi >= 2) of type I"},
    {"n_long", "count", "number of long-string atoms (xi >= L) of type I"},
});

inline constexpr auto peratom = layout("stringlike/atom", "peratom", "", false, {
    {"mobile", "flag", "mobile flag: 1 if the atom is mobile, else 0"},
    {"string_id", "index", "string ID: smallest atom ID of the atom's string; 0 for isolated mobile atoms and for "
                           "atoms that are not mobile"},
    {"string_size", "count", "string size xi: size of the atom's string; 1 for an isolated mobile atom; 0 if not "
                             "mobile"},
    {"u", "length", "displacement u over the window (drift removed with `drift yes`)"},
    {"in_string", "flag", "string flag: 1 if the atom is in a string (xi >= 2), else 0"},
    {"in_long", "flag", "long-string flag: 1 if the atom is in a string with xi >= L (keyword `long`), else 0"},
});

static_assert(vector.well_formed() && array.well_formed() && peratom.well_formed(), "unique column names");
// LAMMPS expands a per-atom wildcard c_ID[*] to the global array's column count (issue 10).
static_assert(peratom.size() == array.size(), "per-atom array as wide as the global array");

}    // namespace glassdyn::schema::strings

#endif
