/* glassdyn: neighbours at a window start, searched once and shared.

   cage/atom records, for each owned atom of its group, the IDs of the atoms within a per
   type-pair cutoff when a window starts; the planned percolation compute needs the same
   bonds at the same steps. A NeighbourSnapshots object runs that search once per (step,
   group, cutoffs) and hands every compute asking at that step the same result, so two window
   computes with one schedule pay for one search. The object is shared (shared_ptr) by the
   glassdyn computes of one LAMMPS instance (WindowedCompute::neighbours_at_window_start()
   finds it on another compute or creates it) and dies with the last of them: no global state.

   Owned atoms and the ghost atoms within the largest cutoff + skin of the subdomain take
   part (farther ghosts cannot be within the cutoff of an owned atom; triclinic subdomains
   use all ghosts). Requires the ghost shell to reach the cutoff (the caller checks it).
*/
#pragma once

#include "lmptype.h"

#include "neighbour_search.hpp"
#include "pair_table.hpp"

#include <cstdint>
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
  double memory_bytes() const
  {
    return double(first.capacity()) * sizeof(size_t) + double(ids.capacity()) * sizeof(tagint);
  }
};

class NeighbourSnapshots {
 public:
  // The neighbours of the owned atoms of `groupbit` now. Local work only (no communication):
  // each rank searches for its own atoms. The latest snapshot is kept until a request with
  // another key replaces it (its buffers are then reused unless a caller still holds it).
  // With `shared` false (one compute holds this object, so no other can ask at this step) the
  // key is not computed: it costs a pass over all local and ghost atoms.
  std::shared_ptr<const NeighbourSnapshot> find(LAMMPS *lmp, int groupbit, const glassdyn::PairTable &cutoff,
                                                bool shared);
  // Bytes held: the kept snapshot and the search buffers.
  double memory_usage() const;

 private:
  // What makes two requests the same search. Atom order and positions cannot change between
  // two requests at one step (no exchange happens between end-of-step callbacks), but a new
  // run may set up the same step again, so the neighbour-list build count and a hash of the
  // atoms are part of the key.
  struct Key {
    bigint step = -1;
    bigint builds = -1;
    int groupbit = 0;
    int nlocal = -1;
    uint64_t atoms = 0;
    std::vector<double> cutoffs;
    bool valid = false;
    bool operator==(const Key &o) const
    {
      return valid && o.valid && step == o.step && builds == o.builds && groupbit == o.groupbit && nlocal == o.nlocal &&
          atoms == o.atoms && cutoffs == o.cutoffs;
    }
  };

  Key key_;
  std::shared_ptr<NeighbourSnapshot> latest_;
  glassdyn::NeighbourSearch search_;
  glassdyn::NeighbourList list_;
  std::vector<double> position_;
  std::vector<int> type_, atom_of_point_;
};

}    // namespace LAMMPS_NS
