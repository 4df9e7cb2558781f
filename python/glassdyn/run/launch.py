"""Running one stage script with LAMMPS: as ``mpiexec -n N lmp`` or inside this process.

Both launchers run the same script on the same number of ranks with the same library, so they
give the same numbers. The working folder is the campaign folder in both cases.

* :class:`SubprocessLauncher` starts the wheel's real ``lmp`` binary under the mpich wheel's
  ``mpiexec`` (without the Python console script, so no TensorFlow import when DeePMD-kit is
  installed).
* :class:`InProcessLauncher` drives the ``lammps`` Python module on an mpi4py communicator; the
  driver itself then runs on every rank (``mpiexec -n N python -m glassdyn run ...``). Only the
  communicator's rank 0 writes bookkeeping files.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, Optional, Protocol

from glassdyn.run.environment import lammps_environment, lmp_binary, mpiexec_path


class StageFailed(RuntimeError):
    """LAMMPS stopped with an error; ``message`` is LAMMPS's ERROR line."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"stage {stage} failed: {message}")
        self.stage = stage
        self.message = message


def first_error(log: Path) -> str:
    """The first ERROR line of a LAMMPS log (or its last lines when there is none)."""
    if not log.exists():
        return "LAMMPS wrote no log"
    lines = log.read_text(errors="replace").splitlines()
    for line in lines:
        if line.startswith("ERROR"):
            return line
    return " / ".join(lines[-5:]) or "LAMMPS stopped without a message"


class Launcher(Protocol):
    """Runs a LAMMPS script; ``leader`` is True on the one process that keeps the books."""

    nprocs: int
    leader: bool
    mode: str

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None: ...

    def agree(self, value: Any) -> Any: ...


class SubprocessLauncher:
    """``mpiexec -n nprocs lmp -in script`` with the plugin and potentials found by environment."""

    mode = "subprocess"
    leader = True

    def __init__(self, nprocs: int, extra_env: Optional[dict[str, str]] = None) -> None:
        self.nprocs = nprocs
        self.extra_env = extra_env or {}

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None:
        command = [str(mpiexec_path()), "-n", str(self.nprocs), str(lmp_binary()), "-in", str(script.relative_to(root)),
                   "-log", str(log.relative_to(root)), "-screen", "none", "-nocite"]
        screen = log.with_name("screen.txt")
        with open(screen, "w") as out:
            completed = subprocess.run(command, cwd=root, env=lammps_environment(self.extra_env), stdout=out,
                                       stderr=subprocess.STDOUT)
        if completed.returncode != 0:
            message = first_error(log)
            if message.startswith("LAMMPS wrote no log") or not message.startswith("ERROR"):
                message = screen.read_text(errors="replace")[-2000:] or message
            raise StageFailed(stage, message)

    def agree(self, value: Any) -> Any:
        return value


class InProcessLauncher:
    """The ``lammps`` Python module on an mpi4py communicator (this process is one of its ranks)."""

    mode = "inprocess"

    def __init__(self, comm: Any) -> None:
        self.comm = comm
        self.nprocs = comm.Get_size()
        self.leader = comm.Get_rank() == 0

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None:
        from lammps import lammps  # imported here: only in-process runs need it

        os.environ.setdefault("OMP_NUM_THREADS", "1")
        for name, value in lammps_environment().items():
            if name in ("LAMMPS_POTENTIALS", "LAMMPS_PLUGIN_PATH"):
                os.environ.setdefault(name, value)
        previous = Path.cwd()
        os.chdir(root)
        failure: Optional[str] = None
        lmp = lammps(comm=self.comm, cmdargs=["-log", str(log.relative_to(root)), "-screen", "none", "-nocite"])
        try:
            lmp.file(str(script.relative_to(root)))
        except Exception as error:  # the lammps module raises plain Exception carrying LAMMPS's message
            failure = str(error).strip() or first_error(log)
        finally:
            lmp.close()
            os.chdir(previous)
        # All ranks must take the same decision (retry, give up) after a failure.
        failure = self.comm.bcast(failure, root=0)
        if failure is not None:
            raise StageFailed(stage, failure if failure.startswith("ERROR") else f"ERROR: {failure}")

    def agree(self, value: Any) -> Any:
        return self.comm.bcast(value, root=0)
