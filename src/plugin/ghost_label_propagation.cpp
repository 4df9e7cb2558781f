#include "ghost_label_propagation.h"

#include "atom.h"
#include "comm.h"
#include "compute.h"
#include "lammps.h"

#include <algorithm>
#include <mpi.h>

using namespace LAMMPS_NS;

std::vector<tagint> GhostLabelPropagation::propagate(LAMMPS *lmp, Compute *host, const std::vector<int> &component,
                                                     int ncomponents)
{
  Atom *atom = lmp->atom;
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  // Smallest atom ID this rank sees in each local component (tags are exact in doubles up to 2^53).
  std::vector<tagint> component_label(size_t(std::max(ncomponents, 0)), 0);
  for (int i = 0; i < nall; i++) {
    const int c = component[i];
    if (c < 0) continue;
    tagint &current = component_label[size_t(c)];
    current = current == 0 ? atom->tag[i] : std::min(current, atom->tag[i]);
  }
  label_.assign(size_t(nall), 0.0);
  for (int i = 0; i < nlocal; i++)
    if (component[i] >= 0) label_[size_t(i)] = double(component_label[size_t(component[i])]);

  while (true) {
    lmp->comm->forward_comm(host);    // ghosts receive their owners' labels
    for (int i = nlocal; i < nall; i++) {
      const int c = component[i];
      if (c < 0 || label_[size_t(i)] <= 0.0) continue;
      tagint &current = component_label[size_t(c)];
      current = std::min(current, static_cast<tagint>(label_[size_t(i)]));
    }
    int changed_local = 0, changed = 0;
    for (int i = 0; i < nlocal; i++) {
      const int c = component[i];
      if (c < 0) continue;
      const double updated = double(component_label[size_t(c)]);
      if (updated < label_[size_t(i)]) {
        label_[size_t(i)] = updated;
        changed_local = 1;
      }
    }
    MPI_Allreduce(&changed_local, &changed, 1, MPI_INT, MPI_MAX, lmp->world);
    if (!changed) break;
  }
  std::vector<tagint> labels(size_t(nlocal), 0);
  for (int i = 0; i < nlocal; i++) labels[size_t(i)] = static_cast<tagint>(label_[size_t(i)]);
  return labels;
}

int GhostLabelPropagation::pack(int n, int *list, double *buf) const
{
  for (int k = 0; k < n; k++) buf[k] = label_[size_t(list[k])];
  return n;
}

void GhostLabelPropagation::unpack(int n, int first, double *buf)
{
  // Ghost atoms beyond the size seen at the start cannot appear within one propagate().
  for (int k = 0; k < n; k++) label_[size_t(first + k)] = buf[k];
}
