// Gathering LAMMPS state into the core's neutral frame types (src/core/frame.hpp,
// periodic_box.hpp): the only place that knows both.
#pragma once

#include "frame.hpp"
#include "periodic_box.hpp"

namespace LAMMPS_NS {

class LAMMPS;

// The current simulation box (bounds, tilts, periodicity, dimension).
glassdyn::PeriodicBox current_box(LAMMPS *lmp);

// The owned atoms: id, type, group flag (`groupbit`), unwrapped r(t) now, and r(t0) from
// `reference` (3 consecutive doubles per atom at reference[i] + reference_column; null: none).
// Masses only when `with_mass` (per-atom rmass if defined, else per-type mass).
glassdyn::FrameAtoms owned_atoms(LAMMPS *lmp, int groupbit, double **reference, int reference_column, bool with_mass);

}    // namespace LAMMPS_NS
