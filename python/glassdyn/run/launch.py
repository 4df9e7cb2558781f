"""Running one stage script with LAMMPS: as ``mpiexec -n N lmp`` or inside this process.

Both launchers run the same script on the same number of ranks with the same library, so they
give the same numbers. The working folder is the campaign folder in both cases.

* :class:`SubprocessLauncher` starts the wheel's real ``lmp`` binary under the mpich wheel's
  ``mpiexec`` (without the Python console script, so no TensorFlow import when DeePMD-kit is
  installed).
* :class:`InProcessLauncher` drives the ``lammps`` Python module on an mpi4py communicator
  (imported without DeePMD-kit's entry point unless the potential is deepmd); the
  driver itself then runs on every rank (``mpiexec -n N python -m glassdyn run ...``). Only the
  communicator's rank 0 writes bookkeeping files.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, Optional, Protocol

from glassdyn.run.environment import import_lammps, lammps_environment, lmp_binary, mpiexec_path


class StageFailed(RuntimeError):
    """LAMMPS stopped with an error; ``message`` is LAMMPS's ERROR line."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(stage, message)  # both in args, so the exception survives pickling (MPI bcast)
        self.stage = stage
        self.message = message

    def __str__(self) -> str:
        return f"stage {self.stage} failed: {self.message}"


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

    def stop(self) -> None: ...


class SubprocessLauncher:
    """``mpiexec -n nprocs lmp -in script`` with the plugin and potentials found by environment."""

    mode = "subprocess"
    leader = True

    def __init__(self, nprocs: int, extra_env: Optional[dict[str, str]] = None, *, deepmd: bool = False) -> None:
        self.nprocs = nprocs
        self.extra_env = extra_env or {}
        self.deepmd = deepmd
        self._running: Optional[subprocess.Popen] = None

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None:
        command = [str(mpiexec_path()), "-n", str(self.nprocs), str(lmp_binary()), "-in", str(script.relative_to(root)),
                   "-log", str(log.relative_to(root)), "-screen", "none", "-nocite"]
        screen = log.with_name("screen.txt")
        with open(screen, "w") as out:
            process = subprocess.Popen(command, cwd=root, env=lammps_environment(self.extra_env, deepmd=self.deepmd), stdout=out,
                                       stderr=subprocess.STDOUT)
            self._running = process
            # Recorded so that a later driver can tell that this run is still going (see running_pid).
            log.with_name(PID_FILE).write_text(str(process.pid))
            try:
                returncode = process.wait()
            finally:
                self._running = None
                if process.poll() is None:  # interrupted (KeyboardInterrupt, SystemExit): stop LAMMPS too
                    process.terminate()
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
        if returncode != 0:
            message = first_error(log)
            if message.startswith("LAMMPS wrote no log") or not message.startswith("ERROR"):
                message = screen.read_text(errors="replace")[-2000:] or message
            raise StageFailed(stage, message)

    def stop(self) -> None:
        """Terminate the LAMMPS run in progress, if any (called when the driver is stopped)."""
        process = self._running
        if process is not None and process.poll() is None:
            process.terminate()

    def agree(self, value: Any) -> Any:
        return value


PID_FILE = "lammps.pid"


def running_pid(folder: Path) -> Optional[int]:
    """The pid of an ``mpiexec`` started for this stage folder that is still alive, else None."""
    try:
        pid = int((folder / PID_FILE).read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"mpiexec" in command else None


class InProcessLauncher:
    """The ``lammps`` Python module on an mpi4py communicator (this process is one of its ranks)."""

    mode = "inprocess"

    def __init__(self, comm: Any, *, deepmd: bool = False) -> None:
        self.comm = comm
        self.nprocs = comm.Get_size()
        self.leader = comm.Get_rank() == 0
        self.deepmd = deepmd

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None:
        # Imported here (only in-process runs need it), and without DeePMD-kit's entry point
        # unless the potential is deepmd: that would load TensorFlow into every rank.
        lammps_module = import_lammps(deepmd=self.deepmd)

        os.environ.setdefault("OMP_NUM_THREADS", "1")
        environment = lammps_environment()
        os.environ.setdefault("LAMMPS_POTENTIALS", environment["LAMMPS_POTENTIALS"])
        # LAMMPS loads every plugin on this path when an instance is created: only glassdyn's,
        # as in subprocess mode, so that a DeePMD-kit path inherited from the environment (or
        # set by an earlier `import lammps`) does not bring TensorFlow in.
        os.environ["LAMMPS_PLUGIN_PATH"] = environment["LAMMPS_PLUGIN_PATH"]
        if self.deepmd:
            from glassdyn.deepmd.environment import preload_tensorflow

            preload_tensorflow()  # adds DeePMD-kit's plugin to the path
        previous = Path.cwd()
        os.chdir(root)
        failure: Optional[str] = None
        lmp = None
        try:
            lmp = lammps_module.lammps(comm=self.comm,
                                       cmdargs=["-log", str(log.relative_to(root)), "-screen", "none", "-nocite"])
            lmp.file(str(script.relative_to(root)))
        except Exception as error:  # the lammps module raises plain Exception carrying LAMMPS's message
            if isinstance(error, getattr(lammps_module, "MPIAbortException", ())):
                # An error on some ranks only (LAMMPS error->one): the others are still inside LAMMPS
                # and can never join a collective call again, so the whole job must stop.
                print(f"glassdyn: stage {stage}: {error}; aborting all MPI ranks", flush=True)
                self.comm.Abort(1)
            failure = str(error).strip() or first_error(log)
        finally:
            if lmp is not None:
                lmp.close()
            os.chdir(previous)
        # All ranks must take the same decision (retry, give up) after a failure.
        failures = [f for f in self.comm.allgather(failure) if f is not None]
        if failures:
            message = failures[0]
            raise StageFailed(stage, message if message.startswith("ERROR") else f"ERROR: {message}")

    def stop(self) -> None:
        """Nothing to do: LAMMPS runs inside this process and stops with it."""

    def agree(self, value: Any) -> Any:
        return self.comm.bcast(value, root=0)
