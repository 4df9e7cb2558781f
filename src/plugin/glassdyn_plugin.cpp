// Registers every glassdyn style with LAMMPS. This is the only exported symbol of the plugin.

#include "lammps_compat.h"
#include "lammpsplugin_abi.h"

#include "compute_cage_atom.h"
#include "compute_displacement_distribution.h"
#include "compute_percolation_atom.h"
#include "compute_stringlike_atom.h"
#include "fix_dms.h"
#include "fix_dynamics_correlate.h"
#include "fix_window_schedule.h"
#include "fix_window_store.h"

#include "error.h"
#include "utils.h"

#include <string>

using namespace LAMMPS_NS;

#ifndef GLASSDYN_LAMMPS_VERSION
#error "GLASSDYN_LAMMPS_VERSION must be defined by the build (the LAMMPS version string, e.g. \"22 Jul 2025\")"
#endif
#ifndef GLASSDYN_VERSION
#error "GLASSDYN_VERSION must be defined by the build"
#endif

namespace {

template <typename Style> void *create_style(void *lmp, int argc, char **argv)
{
  return new Style(static_cast<LAMMPS *>(lmp), argc, argv);
}

// Set when the running LAMMPS is not the one this plugin was compiled for: every style then
// stops the input with this message instead of misreading the running LAMMPS's classes.
std::string version_mismatch;

void *refuse_style(void *lmp, int, char **)
{
  static_cast<LAMMPS *>(lmp)->error->all(FLERR, version_mismatch);
}

}    // namespace

extern "C" __attribute__((visibility("default"))) void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  auto register_style = reinterpret_cast<lammpsplugin_regfunc>(regfunc);
  lammpsplugin_t plugin;
  plugin.version = GLASSDYN_LAMMPS_VERSION;
  plugin.author = "glassdyn developers";
  plugin.handle = handle;
  version_mismatch = glassdyn_compat::lammps_mismatch(static_cast<LAMMPS *>(lmp));
  if (!version_mismatch.empty())
    utils::logmesg(static_cast<LAMMPS *>(lmp), "WARNING: " + version_mismatch + "\n");

  plugin.style = "compute";
  plugin.name = "stringlike/atom";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": string-like motion of mobile atoms per analysis window";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<ComputeStringLikeAtom> : &refuse_style;
  register_style(&plugin, lmp);

  plugin.name = "cage/atom";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": cage breaking (neighbours lost) per analysis window";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<ComputeCageAtom> : &refuse_style;
  register_style(&plugin, lmp);

  plugin.name = "percolation/atom";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": clusters and percolation of the mobile and immobile atoms per window";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<ComputePercolationAtom> : &refuse_style;
  register_style(&plugin, lmp);

  plugin.name = "displacement/distribution";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": p(u) per atom type over the last window of a stringlike/atom compute";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<ComputeDisplacementDistribution> : &refuse_style;
  register_style(&plugin, lmp);

  plugin.style = "fix";
  plugin.name = "dms";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": oscillatory strain with per-cycle storage and loss moduli";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<FixDMS> : &refuse_style;
  register_style(&plugin, lmp);

  plugin.name = "dynamics/correlate";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": MSD, alpha2, F_s(q,t), chi4 with staggered origins, tau_alpha, D, t*";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<FixDynamicsCorrelate> : &refuse_style;
  register_style(&plugin, lmp);

  plugin.name = "GLASSDYN/WINDOW";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": internal per-atom store of glassdyn styles";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<FixWindowStore> : &refuse_style;
  register_style(&plugin, lmp);

  plugin.name = "GLASSDYN/SCHEDULE";
  plugin.info = "glassdyn " GLASSDYN_VERSION ": internal window schedule of glassdyn computes";
  plugin.creator.v2 = version_mismatch.empty() ? &create_style<FixWindowSchedule> : &refuse_style;
  register_style(&plugin, lmp);
}
