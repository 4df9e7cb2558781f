/* glassdyn: neighbours at a window start, searched once and shared.

   cage/atom records, for each owned atom of its group, the IDs of the atoms within a per
   type-pair cutoff when a window starts; the planned percolation compute needs the same
   bonds at the same steps. snapshot_neighbours() runs that search once per (step, group,
   cutoffs) and hands every compute asking at that step the same result, so two window
   computes with one schedule pay for one search.

   Owned atoms and the ghost atoms within the largest cutoff + skin of the subdomain take
   part (farther ghosts cannot be within the cutoff of an owned atom; triclinic subdomains
   use all ghosts). Requires the ghost shell to reach the cutoff (the caller checks it).
*/
#pragma once

#include "lmptype.h"

#include "pair_table.hpp"

#include <memory>
#include <vector>

namespace LAMMPS_NS {

class LAMMPS;

struct NeighbourSnapshot {
  // For owned atom i: neighbour IDs ids[first[i] .. first[i+1]-1], each atom once (not the
  // atom itself, nor its own periodic image); none for atoms outside the group.
  std::vector<size_t> first;
  std::vector<tagint> ids;
  int count(int i) const { return int(first[size_t(i) + 1] - first[size_t(i)]); }
};

// Local work only (no communication): each rank searches for its own atoms.
std::shared_ptr<const NeighbourSnapshot> snapshot_neighbours(LAMMPS *lmp, int groupbit,
                                                             const glassdyn::PairTable &cutoff);

}    // namespace LAMMPS_NS
