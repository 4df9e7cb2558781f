#include "compute_windowed.h"

#include "fix_window_store.h"

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "group.h"
#include "modify.h"
#include "neighbor.h"

#include <cmath>

using namespace LAMMPS_NS;

WindowedCompute::WindowedCompute(LAMMPS *lmp, int narg, char **arg) :
    Compute(lmp, narg, arg), style_label(std::string("Compute ") + arg[2]), store(nullptr), window_length(0),
    clock(nullptr)
{
  if (atom->tag_enable == 0) error->all(FLERR, "{} requires atom IDs", style_label);
  if (group->dynamic[igroup])
    error->all(FLERR, "{} cannot use the dynamic group {}: the analysed set must not change within a window",
               style_label, group->names[igroup]);
}

WindowedCompute::~WindowedCompute()
{
  if (modify->nfix && !store_id.empty() && modify->get_fix_by_id(store_id)) modify->delete_fix(store_id);
}

int WindowedCompute::parse_window_keyword(int narg, char **arg, int iarg)
{
  const std::string keyword = arg[iarg];
  if (keyword != "window" && keyword != "sync") return 0;
  if (iarg + 1 >= narg) utils::missing_cmd_args(FLERR, "compute " + style_label.substr(8) + " " + keyword, error);
  if (keyword == "window") {
    window_length = utils::bnumeric(FLERR, arg[iarg + 1], false, lmp);
    if (window_length <= 0)
      error->all(FLERR, "{} window: N must be a positive number of steps, got {}", style_label, arg[iarg + 1]);
  } else {
    sync_fix_id = arg[iarg + 1];
  }
  return 2;
}

void WindowedCompute::create_store(int ncolumns)
{
  if (window_length > 0 && !sync_fix_id.empty())
    error->all(FLERR, "{}: keywords window and sync exclude each other; give one", style_label);
  if (window_length == 0 && sync_fix_id.empty())
    error->all(FLERR, "{} needs 'window N' (steps) or 'sync FIX-ID' to define its windows", style_label);
  if (sync_fix_id.empty()) own_clock = std::make_unique<RegularWindowClock>(window_length);
  store_id = std::string(id) + "_GLASSDYN_WINDOW";
  modify->add_fix(fmt::format("{} {} GLASSDYN/WINDOW {}", store_id, group->names[igroup], ncolumns));
  attach_store();
  restore_global_results(store->saved_results);
}

void WindowedCompute::attach_store()
{
  store = dynamic_cast<FixWindowStore *>(modify->get_fix_by_id(store_id));
  if (!store) error->all(FLERR, "{} {}: its internal fix {} is missing", style_label, id, store_id);
  if (sync_fix_id.empty()) {
    clock = own_clock.get();
  } else {
    Fix *fix = modify->get_fix_by_id(sync_fix_id);
    if (!fix) error->all(FLERR, "{} sync: no fix with ID {}", style_label, sync_fix_id);
    clock = dynamic_cast<WindowClock *>(fix);
    if (!clock)
      error->all(FLERR, "{} sync: fix {} (style {}) does not publish window boundaries; use 'window N' instead",
                 style_label, sync_fix_id, fix->style);
  }
  store->attach(this, clock);
}

void WindowedCompute::init()
{
  // Fixes can be deleted and re-created between runs; look everything up again.
  attach_store();
  // The ghost-reach guarantees assume one communication cutoff for all atoms.
  if (comm->mode != Comm::SINGLE)
    error->all(FLERR, "{} requires comm_modify mode single (per-type ghost cutoffs could hide partner atoms)",
               style_label);
  if (!neighbor->dist_check && neighbor->every > 1 && comm->me == 0)
    error->warning(FLERR, "{}: with 'neigh_modify every {} check no' atoms may move more than half the skin "
                   "between reneighborings, so partners near the ghost cutoff can be missed", style_label,
                   neighbor->every);
}

void WindowedCompute::check_store_alive()
{
  if (modify->get_fix_by_id(store_id) != store)
    error->all(FLERR, "{} {}: its internal fix {} was deleted; delete and re-create the compute", style_label, id,
               store_id);
}

double WindowedCompute::guaranteed_ghost_reach() const
{
  // Atoms drift up to half a skin each between reneighborings, so a pair closer than the
  // communication cutoff minus the skin is always present on the rank that owns one of them.
  return comm->get_comm_cutoff() - neighbor->skin;
}

double WindowedCompute::suggested_comm_cutoff(double reach) const
{
  const double needed = (reach + neighbor->skin) * 1.05;
  const double scale = std::pow(10.0, std::floor(std::log10(needed)) - 2.0);
  return std::ceil(needed / scale) * scale;
}

void WindowedCompute::save_global_results(std::vector<double> values)
{
  store->saved_results = std::move(values);
}
