#include "neighbour_snapshot.h"

#include "atom.h"
#include "domain.h"
#include "lammps.h"
#include "neighbor.h"
#include "update.h"

#include <cstring>

using namespace LAMMPS_NS;

namespace {

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

std::shared_ptr<const NeighbourSnapshot> NeighbourSnapshots::find(LAMMPS *lmp, int groupbit,
                                                                  const glassdyn::PairTable &cutoff, bool shared)
{
  Atom *atom = lmp->atom;
  Key key;
  if (shared)
    key = Key{lmp->update->ntimestep, lmp->neighbor->ncalls, groupbit, atom->nlocal, hash_atoms(atom, groupbit),
              table_values(cutoff), true};
  if (latest_ && key == key_) return latest_;
  key_ = std::move(key);
  // Reuse the buffers of the previous snapshot unless a caller still holds it.
  if (!latest_ || latest_.use_count() > 1) latest_ = std::make_shared<NeighbourSnapshot>();

  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  const double margin = cutoff.max_value() + lmp->neighbor->skin;
  // Points: the group's owned atoms first (the queries, in atom order), then every other owned
  // atom and the nearby ghosts.
  position_.clear();
  type_.clear();
  atom_of_point_.clear();
  auto add = [&](int i) {
    position_.insert(position_.end(), atom->x[i], atom->x[i] + 3);
    type_.push_back(atom->type[i]);
    atom_of_point_.push_back(i);
  };
  for (int i = 0; i < nlocal; i++)
    if (atom->mask[i] & groupbit) add(i);
  const size_t n_query = type_.size();
  for (int i = 0; i < nall; i++)
    if ((i >= nlocal && near_subdomain(lmp->domain, atom->x[i], margin)) ||
        (i < nlocal && !(atom->mask[i] & groupbit)))
      add(i);
  search_.find(position_.data(), type_.data(), type_.size(), n_query, cutoff, list_);

  NeighbourSnapshot &snapshot = *latest_;
  snapshot.first.assign(size_t(nlocal) + 1, 0);
  snapshot.ids.clear();
  size_t q = 0;    // the query point of atom i, if i is in the group
  for (int i = 0; i < nlocal; i++) {
    if (q < n_query && atom_of_point_[q] == i) {
      const tagint self = atom->tag[i];
      for (size_t m = list_.first[q]; m < list_.first[q + 1]; m++) {
        const tagint neighbour = atom->tag[atom_of_point_[list_.index[m]]];
        if (neighbour != self) snapshot.ids.push_back(neighbour);    // not its own periodic image
      }
      q++;
    }
    snapshot.first[size_t(i) + 1] = snapshot.ids.size();
  }
  return latest_;
}

double NeighbourSnapshots::memory_usage() const
{
  return (latest_ ? latest_->memory_bytes() : 0.0) + search_.memory_bytes() + list_.memory_bytes() +
      double(position_.capacity()) * sizeof(double) + double(type_.capacity() + atom_of_point_.capacity()) * sizeof(int);
}
