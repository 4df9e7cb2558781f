#include "neighbour_snapshot.h"

#include "atom.h"
#include "domain.h"
#include "lammps.h"
#include "neighbor.h"
#include "update.h"

#include "cage.hpp"

#include <cstdint>
#include <cstring>
#include <map>
#include <tuple>

using namespace LAMMPS_NS;

namespace {

// What makes two requests the same search. Atom order and positions cannot change between
// two requests at one step (no exchange happens between end-of-step callbacks), but a new
// run may set up the same step again, so the neighbour-list build count is part of the key.
struct SnapshotKey {
  LAMMPS *lmp;
  bigint step;
  bigint builds;
  int groupbit;
  int nlocal;
  uint64_t atoms;    // hash of the atoms seen (a new LAMMPS instance may reuse an address)
  std::vector<double> cutoffs;
  bool operator<(const SnapshotKey &o) const
  {
    return std::tie(lmp, step, builds, groupbit, nlocal, atoms, cutoffs) <
        std::tie(o.lmp, o.step, o.builds, o.groupbit, o.nlocal, o.atoms, o.cutoffs);
  }
};

// A 64-bit hash (FNV-1a over words) of IDs, types, group flags and positions of the local and
// ghost atoms: equal hashes mean the same search result. About 5 multiplications per atom.
uint64_t hash_atoms(Atom *atom, int groupbit)
{
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](uint64_t word) { h = (h ^ word) * 1099511628211ULL; };
  const int nall = atom->nlocal + atom->nghost;
  for (int i = 0; i < nall; i++) {
    mix(uint64_t(atom->tag[i]));
    mix((uint64_t(uint32_t(atom->type[i])) << 1) | ((atom->mask[i] & groupbit) ? 1u : 0u));
    for (int k = 0; k < 3; k++) {
      uint64_t bits;
      std::memcpy(&bits, &atom->x[i][k], sizeof bits);
      mix(bits);
    }
  }
  return h;
}

std::vector<double> table_values(const glassdyn::PairTable &cutoff)
{
  std::vector<double> values;
  for (int i = 1; i <= cutoff.ntypes(); i++)
    for (int j = i; j <= cutoff.ntypes(); j++) values.push_back(cutoff.get(i, j));
  return values;
}

bool near_subdomain(Domain *domain, const double *x, double margin)
{
  if (domain->triclinic) return true;
  for (int k = 0; k < 3; k++)
    if (x[k] < domain->sublo[k] - margin || x[k] > domain->subhi[k] + margin) return false;
  return true;
}

}    // namespace

std::shared_ptr<const NeighbourSnapshot> LAMMPS_NS::snapshot_neighbours(LAMMPS *lmp, int groupbit,
                                                                        const glassdyn::PairTable &cutoff)
{
  // Only the latest snapshot is kept (requests for one step follow each other), until a
  // request with another key replaces it: about 8 bytes per neighbour of each group atom.
  static std::map<SnapshotKey, std::shared_ptr<const NeighbourSnapshot>> cache;
  Atom *atom = lmp->atom;
  SnapshotKey key{lmp,          lmp->update->ntimestep,    lmp->neighbor->ncalls, groupbit,
                  atom->nlocal, hash_atoms(atom, groupbit), table_values(cutoff)};
  const auto found = cache.find(key);
  if (found != cache.end()) return found->second;
  cache.clear();

  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  const double margin = cutoff.max_value() + lmp->neighbor->skin;
  // Points: the group's owned atoms first, then every other owned atom and the nearby ghosts.
  std::vector<double> position;
  std::vector<int> type, atom_of_point;
  auto add = [&](int i) {
    position.insert(position.end(), atom->x[i], atom->x[i] + 3);
    type.push_back(atom->type[i]);
    atom_of_point.push_back(i);
  };
  for (int i = 0; i < nlocal; i++)
    if (atom->mask[i] & groupbit) add(i);
  const size_t n_owned = type.size();
  for (int i = 0; i < nall; i++)
    if ((i >= nlocal && near_subdomain(lmp->domain, atom->x[i], margin)) ||
        (i < nlocal && !(atom->mask[i] & groupbit)))
      add(i);

  const auto neighbours = glassdyn::neighbours_within(position, type, n_owned, cutoff);
  auto snapshot = std::make_shared<NeighbourSnapshot>();
  std::vector<std::vector<tagint>> of_atom(static_cast<size_t>(nlocal));
  for (size_t p = 0; p < n_owned; p++) {
    const int i = atom_of_point[p];
    for (size_t q : neighbours[p]) {
      const tagint neighbour = atom->tag[atom_of_point[q]];
      if (neighbour != atom->tag[i]) of_atom[size_t(i)].push_back(neighbour);    // not its own image
    }
  }
  snapshot->first.assign(size_t(nlocal) + 1, 0);
  for (int i = 0; i < nlocal; i++) snapshot->first[size_t(i) + 1] = snapshot->first[size_t(i)] + of_atom[size_t(i)].size();
  snapshot->ids.reserve(snapshot->first.back());
  for (const auto &ids : of_atom) snapshot->ids.insert(snapshot->ids.end(), ids.begin(), ids.end());
  std::shared_ptr<const NeighbourSnapshot> shared = std::move(snapshot);
  cache[key] = shared;
  return shared;
}
