"""Former home of the LAMMPS launching helpers, now :mod:`glassdyn.launching` (kept for old imports)."""
from glassdyn.launching.environment import import_lammps, lammps_environment
from glassdyn.launching.launchers import LammpsRun, run_lammps
from glassdyn.launching.locations import lmp_binary, mpiexec_path, potentials_dir

__all__ = ["LammpsRun", "import_lammps", "lammps_environment", "lmp_binary", "mpiexec_path", "potentials_dir",
           "run_lammps"]
