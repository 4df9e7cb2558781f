/* glassdyn: distributed cluster labels over ghost-based bonds.

   For clustering computes whose bonds are short (within the ghost shell the force field already
   provides), e.g. the planned mobile/immobile percolation compute: each rank unites the atoms
   it sees (owned + ghost) into local components; this utility then gives every component the
   smallest atom ID of its whole cluster across ranks, by forward communication of labels until
   no rank lowers any (a cluster spanning k subdomains settles in about k rounds). This is the
   LAMMPS idiom of compute cluster/atom. Strings do not use it: their partners can lie beyond
   the ghost shell, so they exchange the mobile atoms instead (src/core/string_analysis.cpp).

   Use: the host compute sets comm_forward >= 1 and delegates pack_forward_comm /
   unpack_forward_comm to pack() / unpack() while propagate() runs.
*/
#pragma once

#include "lmptype.h"

#include <vector>

namespace LAMMPS_NS {

class Compute;
class LAMMPS;

class GhostLabelPropagation {
 public:
  // `component[i]` for every local + ghost atom i: the local component it belongs to (0 ..
  // ncomponents - 1), or -1 if it is in none. Copies of one atom (owned and periodic ghost
  // images) must be in the same component. Collective. Returns, per owned atom, the label of
  // its cluster (smallest atom ID over all ranks), 0 for atoms in no component.
  std::vector<tagint> propagate(LAMMPS *lmp, Compute *host, const std::vector<int> &component, int ncomponents);

  int pack(int n, int *list, double *buf) const;
  void unpack(int n, int first, double *buf);

 private:
  std::vector<double> label_;    // per local + ghost atom; doubles, as forward comm carries
};

}    // namespace LAMMPS_NS
