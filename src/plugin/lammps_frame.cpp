#include "lammps_frame.h"

#include "atom.h"
#include "domain.h"
#include "lammps.h"

using namespace LAMMPS_NS;

glassdyn::PeriodicBox LAMMPS_NS::current_box(LAMMPS *lmp)
{
  Domain *domain = lmp->domain;
  glassdyn::PeriodicBox box;
  for (int k = 0; k < 3; k++) {
    box.lo[k] = domain->boxlo[k];
    box.hi[k] = domain->boxhi[k];
    box.periodic[k] = domain->periodicity[k] != 0;
  }
  if (domain->triclinic) {
    box.xy = domain->xy;
    box.xz = domain->xz;
    box.yz = domain->yz;
  }
  box.dimension = domain->dimension;
  return box;
}

glassdyn::FrameAtoms LAMMPS_NS::owned_atoms(LAMMPS *lmp, int groupbit, double **reference, int reference_column,
                                            bool with_mass)
{
  Atom *atom = lmp->atom;
  const int nlocal = atom->nlocal;
  glassdyn::FrameAtoms atoms;
  atoms.id.resize(nlocal);
  atoms.type.resize(nlocal);
  atoms.in_group.resize(nlocal);
  atoms.current.resize(3 * size_t(nlocal));
  atoms.reference.resize(3 * size_t(nlocal));
  if (with_mass) atoms.mass.resize(nlocal);
  for (int i = 0; i < nlocal; i++) {
    atoms.id[i] = atom->tag[i];
    atoms.type[i] = atom->type[i];
    atoms.in_group[i] = (atom->mask[i] & groupbit) ? 1 : 0;
    lmp->domain->unmap(atom->x[i], atom->image[i], &atoms.current[3 * size_t(i)]);
    for (int k = 0; k < 3; k++)
      atoms.reference[3 * size_t(i) + k] = reference ? reference[i][reference_column + k] : 0.0;
    if (with_mass) atoms.mass[i] = atom->rmass ? atom->rmass[i] : atom->mass[atom->type[i]];
  }
  return atoms;
}
