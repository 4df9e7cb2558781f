"""Running a campaign's stages, resumably, as subprocesses or on the ranks of this MPI job.

Resumption rests on three rules:

1. a stage is finished exactly when its ``done.json`` exists (:mod:`glassdyn.run.stages`);
2. an unfinished stage is started afresh from the file it starts from, so an interrupted campaign
   repeats no finished work and loses none;
3. the folder remembers the settings it was started with, and refuses to continue with others
   (:mod:`glassdyn.run.folder`).

What happens once every stage is finished (harvesting the results) is not the driver's business:
the caller passes it in as ``finish`` (see :class:`glassdyn.campaign.Campaign`).
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from glassdyn.launching.launchers import InProcessLauncher, Launcher, SubprocessLauncher
from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.folder import make_folder, prepare_folder
from glassdyn.run.errors import StateError
from glassdyn.run.lock import FolderLock, part_lock, setup_lock
from glassdyn.run.plan import PREPARATION, make_plan, part_name, part_stages, parts
from glassdyn.run.preflight import preflight
from glassdyn.run.progress import Progress
from glassdyn.run.relaunch import relaunch_under_mpiexec
from glassdyn.run.stages import StageRunner, Summary, on_leader


@dataclass
class CampaignRunner:
    """Runs every unfinished stage of a campaign, then calls ``finish`` once.

    Parameters
    ----------
    config : CampaignConfig
        The checked configuration.
    folder : path
        The campaign folder (absolute).
    config_path : path, optional
        The campaign file, for relaunching under mpiexec.
    finish : callable
        Called once after every stage has finished, by one process (harvesting the results).
    summary : callable, optional
        A line to show after each finished temperature.
    """

    config: CampaignConfig
    folder: Path
    config_path: Optional[Path]
    finish: Callable[[], Any]
    summary: Optional[Summary] = None

    def run(self, *, progress: bool = True, comm: Any = None, only: Optional[str] = None) -> None:
        """Run what is not finished yet, then ``finish``.

        In ``inprocess`` mode on a single process with ``launch.np > 1`` this starts itself again
        under ``mpiexec`` with that many ranks. ``only`` (``prep`` or ``T<T>``): run that part
        alone and do not ``finish`` (a batch job of ``glassdyn submit``; subprocess mode only).
        """
        launch = self.config.launch
        if only is not None:
            if launch.mode != "subprocess":
                raise ConfigError("launch.mode: --only runs one part in subprocess mode; set launch.mode = "
                                  "\"subprocess\"")
            self._run_part(self._part(only), progress)
            return
        if launch.mode == "inprocess":
            from mpi4py import MPI  # noqa: F401  (loads libmpi before liblammps)

            world = comm if comm is not None else MPI.COMM_WORLD
            if world.Get_size() == 1 and launch.np > 1:
                self._relaunch(progress)
                return
            if world.Get_size() != launch.np:
                raise ConfigError(f"launch.np: this campaign asks for {launch.np} ranks but runs on "
                                  f"{world.Get_size()}; start it with mpiexec -n {launch.np}")
            self._run_in_process(world, progress)
            return
        self._run_subprocesses(progress)

    def _run_subprocesses(self, progress: bool) -> None:
        launch = self.config.launch
        plan = make_plan(self.config)
        make_folder(self.folder)
        groups = launch.parallel_temperatures
        everyone = SubprocessLauncher(launch.np, command=self._command())
        # Each group of ranks runs every groups-th temperature, in a thread of this process.
        teams = everyone.groups(groups)
        stopping = threading.Event()
        with FolderLock(self.folder), Progress(enabled=progress) as bar:
            self._prepare()  # under the lock: a second driver must not rewrite the files
            pool = ThreadPoolExecutor(max_workers=groups)
            try:
                self._stages(everyone, bar, stopping).run_stages(plan.preparation)
                futures = [pool.submit(self._stages(launcher, bar, stopping).run_chains, plan.chains[color::groups])
                           for color, launcher in teams]
                errors = [future.exception() for future in futures]
            except BaseException:
                # Ctrl-C or SIGTERM: start no new stage and do not leave LAMMPS running.
                stopping.set()
                for launcher in [everyone] + [launcher for _, launcher in teams]:
                    launcher.stop()
                raise
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
            failed = [error for error in errors if error is not None]
            if failed:
                for error in failed[1:]:
                    bar.message(f"also failed: {error}")
                raise failed[0]
        self.finish()

    def _command(self):
        return self.config.launch.command(deepmd=self.config.system.potential == "deepmd")

    def _prepare(self) -> None:
        """Check or write the folder's records, then check the LAMMPS, before any stage starts."""
        with setup_lock(self.folder):  # batch jobs of other parts may be doing the same
            prepare_folder(self.folder, self.config)
            preflight(self.config, self.folder, self._command())

    def _part(self, text: str) -> str:
        plan = make_plan(self.config)
        try:
            name = part_name(text)
            part_stages(plan, name)
        except (ValueError, KeyError):
            raise ConfigError(f"--only {text}: not a part of this campaign; its parts are "
                              f"{', '.join(parts(plan))}") from None
        return name

    def _run_part(self, part: str, progress: bool) -> None:
        """One part in a batch job: shared folder lock (other parts run beside it), its own lock."""
        plan = make_plan(self.config)
        make_folder(self.folder)
        launcher = SubprocessLauncher(self.config.launch.np, command=self._command())
        with FolderLock(self.folder, shared=True), part_lock(self.folder, part), Progress(enabled=progress) as bar:
            self._prepare()
            runner = self._stages(launcher, bar)
            try:
                if part == PREPARATION:
                    runner.run_stages(plan.preparation)
                    return
                unfinished = [s.name for s in plan.preparation if not (self.folder / s.name / "done.json").exists()]
                if unfinished:
                    raise StateError(f"{part} starts from the glass, but {unfinished[0]} is not finished: run the "
                                     "preparation first (glassdyn run --only prep, or glassdyn submit)")
                [chain] = [c for c in plan.chains if f"T{c.temperature:g}" == part]
                runner.run_chains([chain])
            except BaseException:
                launcher.stop()  # SIGTERM from scancel or a time limit: do not leave LAMMPS running
                raise

    def _run_in_process(self, world: Any, progress: bool) -> None:
        launch = self.config.launch
        plan = make_plan(self.config)
        leader = world.Get_rank() == 0
        everyone = InProcessLauncher(world, deepmd=self.config.system.potential == "deepmd")
        lock = FolderLock(self.folder) if leader else None
        on_leader(everyone, lambda: self._lock_and_prepare(lock))
        groups = launch.parallel_temperatures
        [(color, group)] = everyone.groups(groups)
        failure: Optional[BaseException] = None
        try:
            # Every group's rank 0 reports its own temperatures; only the world's rank 0 redraws bars.
            with Progress(enabled=progress and group.leader, live=leader) as bar:
                self._stages(everyone, bar if leader else Progress(enabled=False)).run_stages(plan.preparation)
                self._stages(group, bar).run_chains(plan.chains[color::groups])
        except Exception as caught:  # a group's failure must reach every rank, or the others wait forever
            failure = caught
        finally:
            group.close()
        reports = [r for r in world.allgather(None if failure is None else str(failure)) if r is not None]
        if reports:
            if lock:
                lock.release()
            raise failure if failure is not None else RuntimeError(f"another group of ranks failed: {reports[0]}")
        try:
            on_leader(everyone, self.finish)
        finally:
            if lock:
                lock.release()

    def _stages(self, launcher: Launcher, bar: Progress, stopping: Optional[threading.Event] = None) -> StageRunner:
        return StageRunner(self.config, self.folder, launcher, bar, stopping, self.summary)

    def _lock_and_prepare(self, lock: Optional[FolderLock]) -> None:
        make_folder(self.folder)
        if lock is None:
            return
        lock.acquire()
        try:
            with setup_lock(self.folder):
                prepare_folder(self.folder, self.config)
        except BaseException:
            lock.release()
            raise

    def _relaunch(self, progress: bool) -> None:
        def prepare() -> None:
            make_folder(self.folder)
            with FolderLock(self.folder):  # checked before the ranks start; each rank run checks again
                prepare_folder(self.folder, self.config)

        relaunch_under_mpiexec(self.config, self.folder, self.config_path, progress=progress, prepare=prepare)
