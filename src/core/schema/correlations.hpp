/* glassdyn: outputs of fix dynamics/correlate (filled in src/plugin/fix_dynamics_correlate.cpp,
   offline in glassdyn.analysis.Correlations). See layout.hpp for what a declaration is. */

#ifndef GLASSDYN_SCHEMA_CORRELATIONS_HPP
#define GLASSDYN_SCHEMA_CORRELATIONS_HPP

#include "layout.hpp"

namespace glassdyn::schema::correlations {

// Per-set columns expand quantity-major: msd of all atoms, msd of type 1, ..., then alpha2 ...
inline constexpr auto array = layout("dynamics/correlate", "array",
    "one row per lag: row I is the I-th lag of the `lags` list", false, {
    {"lag", "count", "lag in timesteps"},
    {"time", "time", "lag time (lag x the current timestep size)"},
    {"msd", "length^2", "mean-squared displacement <dr^2>, over atoms and origins", true},
    {"alpha2", "1", "non-Gaussian parameter 3<dr^4>/(5<dr^2>^2) - 1 (0 while <dr^2> = 0)", true},
    {"fs", "1", "self-intermediate scattering F_s(q,t) = <sin(q dr)/(q dr)>", true},
    {"overlap", "fraction", "mean overlap <w(dr)>, w = 1 for dr < a (0 without keyword `overlap`)", true},
    {"chi4", "1", "chi4 = N (<Q^2> - <Q>^2) over origins; Q = overlap with keyword `overlap`, else per-origin F_s",
     true},
    {"n_origins", "count", "number of origins averaged at this lag", true},
});

// The derived times and coefficients, one block of columns per set (all atoms, then each type).
inline constexpr auto vector = layout("dynamics/correlate", "vector", "", true, {
    {"tau_alpha", "time", "tau_alpha: time where F_s = 1/e, linear in ln t between the bracketing lags (0 before "
                          "F_s falls below 1/e)"},
    {"diffusion", "length^2/time", "D: slope / 6 of the least-squares line MSD(t) over the diffusive lags (0 "
                                   "without a diffusive range)"},
    {"diffusive_from", "time", "first lag time of the diffusive range: the earliest lag from which the slope of ln "
                               "MSD against ln t up to the last measured lag is within 10 % of 1, for it and every "
                               "later lag at least 2x shorter than the last"},
    {"diffusive_to", "time", "last lag time of the diffusive range (0 without one)"},
    {"t_star", "time", "t*: lag time of the largest alpha2"},
    {"alpha2_peak", "1", "largest alpha2"},
    {"chi4_peak", "1", "largest chi4"},
    {"chi4_time", "time", "lag time of the largest chi4"},
});

static_assert(array.well_formed() && vector.well_formed(), "unique column names");

}    // namespace glassdyn::schema::correlations

#endif
