/* glassdyn: outputs of fix dms (filled in src/plugin/fix_dms.cpp, offline in
   glassdyn.analysis.DMSFit). See layout.hpp for what a declaration is. */

#ifndef GLASSDYN_SCHEMA_DMS_HPP
#define GLASSDYN_SCHEMA_DMS_HPP

#include "layout.hpp"

namespace glassdyn::schema::dms {

inline constexpr auto vector = layout("dms", "vector", "", false, {
    {"storage", "pressure", "M' (G'): mean storage modulus over the cycles used"},
    {"storage_std", "pressure", "standard deviation of M' over those cycles"},
    {"loss", "pressure", "M'' (G''): mean loss modulus"},
    {"loss_std", "pressure", "standard deviation of M''"},
    {"tan_delta", "1", "tan delta: mean of the per-cycle M''/M'"},
    {"tan_delta_std", "1", "standard deviation of tan delta"},
    {"n_cycles", "count", "number of cycles used (completed cycles minus `discard`, at least 0)"},
    {"r2", "1", "mean 2w ratio r2 (0 with `harmonics 1`)"},
    {"r3", "1", "mean 3w ratio r3 (0 with `harmonics 1`)"},
    {"strain", "1", "current strain eps (applied on this step)"},
    {"stress", "pressure", "current stress sigma = -P_ab (the last sample)"},
});

// One row per completed cycle; the same names as the vector's means, for one cycle.
inline constexpr auto array = layout("dms", "array", "one row per completed cycle: row I is cycle I", false, {
    {"cycle", "index", "cycle number I"},
    {"storage", "pressure", "M' of the cycle"},
    {"loss", "pressure", "M'' of the cycle"},
    {"tan_delta", "1", "tan delta of the cycle"},
    {"r2", "1", "2w ratio r2 of the cycle"},
    {"r3", "1", "3w ratio r3 of the cycle"},
    {"offset", "pressure", "offset c0: mean stress over the cycle"},
});

// Keyword peratom: each atom's own fit; "stress*volume" becomes pressure with keyword volume.
inline constexpr auto peratom = layout("dms", "peratom", "", false, {
    {"storage_last", "stress*volume", "storage term of the last completed cycle"},
    {"loss_last", "stress*volume", "loss term of the last completed cycle"},
    {"storage", "stress*volume", "mean storage term over the cycles used (after `discard`)"},
    {"loss", "stress*volume", "mean loss term over the cycles used"},
    {"n_cycles", "count", "number of cycles used for the atom's means (cycles the atom took part in, after "
                          "`discard`)"},
    {"storage_std", "stress*volume", "standard deviation (divisor m - 1, 0 for m = 1) of the storage term over "
                                     "those cycles"},
    {"loss_std", "stress*volume", "standard deviation of the loss term over those cycles"},
});

static_assert(vector.well_formed() && array.well_formed() && peratom.well_formed(), "unique column names");
// LAMMPS expands a per-atom wildcard f_ID[*] to the global array's column count (issue 10).
static_assert(peratom.size() == array.size(), "per-atom array as wide as the global array");

}    // namespace glassdyn::schema::dms

#endif
