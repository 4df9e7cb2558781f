"""A campaign: run every stage of the plan once, resumably, then harvest the results.

Resumption rests on three rules:

1. a stage is finished exactly when its ``done.json`` exists (written after LAMMPS returned and
   ``final.restart`` is on disk, by an atomic rename);
2. an unfinished stage is started afresh from the file it starts from (its half-written outputs
   are removed), so an interrupted campaign repeats no finished work and loses none;
3. the folder remembers the settings it was started with, and refuses to continue with others.

``journal.jsonl`` records every start and finish, so one can check that no stage ran twice.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from glassdyn.run import journal, records
from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.errors import StateError
from glassdyn.run.launch import InProcessLauncher, Launcher, StageFailed, SubprocessLauncher, running_pid
from glassdyn.run.plan import INITIAL_DATA, Plan, Stage, TemperatureChain, make_plan
from glassdyn.run.progress import Progress, format_seconds
from glassdyn.run.structure import write_initial_data

_SUGGESTED_CUTOFF = re.compile(r"comm_modify cutoff ([0-9.eE+-]+)")
MAX_CUTOFF_RETRIES = 4


def _write_json(path: Path, data: Any) -> None:
    _write_text(path, json.dumps(data, indent=1, sort_keys=True))


def _write_text(path: Path, text: str) -> None:
    """Write by renaming a complete temporary file: a kill leaves the old file or the new one."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@dataclass
class Campaign:
    """A campaign bound to its folder.

    Parameters
    ----------
    config : CampaignConfig
        The checked configuration.
    folder : path
        Where stages, logs and results are kept (created if needed).

    Examples
    --------
    >>> campaign = Campaign.from_toml("campaign.toml")       # doctest: +SKIP
    >>> results_file = campaign.run()                          # doctest: +SKIP
    """

    config: CampaignConfig
    folder: Path
    config_path: Optional[Path] = None  # the campaign file, for relaunching under mpiexec

    @classmethod
    def from_toml(cls, path: str | Path, folder: Optional[str | Path] = None) -> "Campaign":
        """Read a campaign file; the folder defaults to ``<campaign.name>`` next to the file."""
        config = CampaignConfig.from_toml(path)
        return cls(config, Path(folder) if folder is not None else Path(path).resolve().parent / config.name,
                   Path(path).resolve())

    @property
    def plan(self) -> Plan:
        return make_plan(self.config)

    @property
    def results_file(self) -> Path:
        return self.folder / "results.h5"

    # ------------------------------------------------------------------ entry point
    def run(self, *, progress: bool = True, comm: Any = None) -> Path:
        """Run what is not finished yet, then harvest; returns the HDF5 results file.

        In ``inprocess`` mode on a single process with ``launch.np > 1`` this starts itself again
        under ``mpiexec`` with that many ranks.
        """
        self.folder = Path(self.folder).resolve()
        launch = self.config.launch
        if launch.mode == "inprocess":
            from mpi4py import MPI  # noqa: F401  (loads libmpi before liblammps)

            world = comm if comm is not None else MPI.COMM_WORLD
            if world.Get_size() == 1 and launch.np > 1:
                return self._relaunch_under_mpiexec(progress)
            if world.Get_size() != launch.np:
                raise ConfigError(f"launch.np: this campaign asks for {launch.np} ranks but runs on "
                                  f"{world.Get_size()}; start it with mpiexec -n {launch.np}")
            return self._run_in_process(world, progress)
        return self._run_subprocesses(progress)

    # ------------------------------------------------------------------ modes
    def _run_subprocesses(self, progress: bool) -> Path:
        launch = self.config.launch
        plan = self.plan
        self._make_folder()
        groups = launch.parallel_temperatures
        deepmd = self.config.system.potential == "deepmd"
        launchers = [SubprocessLauncher(launch.np, deepmd=deepmd)] + [
            SubprocessLauncher(launch.np // groups, deepmd=deepmd) for _ in range(groups)]
        stopping = threading.Event()
        with _FolderLock(self.folder), Progress(enabled=progress) as bar:
            self._prepare_folder()  # under the lock: a second driver must not rewrite the folder's files
            pool = ThreadPoolExecutor(max_workers=groups)
            try:
                _StageRunner(self, launchers[0], bar, stopping).run_stages(plan.preparation)
                futures = [pool.submit(_StageRunner(self, launchers[1 + g], bar, stopping).run_chains,
                                       plan.chains[g::groups]) for g in range(groups)]
                errors = [future.exception() for future in futures]
            except BaseException:
                # Ctrl-C or SIGTERM: start no new stage and do not leave LAMMPS running.
                stopping.set()
                for launcher in launchers:
                    launcher.stop()
                raise
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
            failed = [error for error in errors if error is not None]
            if failed:
                for error in failed[1:]:
                    bar.message(f"also failed: {error}")
                raise failed[0]
        return self._harvest()

    def _run_in_process(self, world: Any, progress: bool) -> Path:
        launch = self.config.launch
        plan = self.plan
        leader = world.Get_rank() == 0
        deepmd = self.config.system.potential == "deepmd"
        everyone = InProcessLauncher(world, deepmd=deepmd)
        lock = _FolderLock(self.folder) if leader else None
        _on_leader(everyone, lambda: self._lock_and_prepare(lock))
        groups = launch.parallel_temperatures
        color = world.Get_rank() // (world.Get_size() // groups)
        group = world.Split(color, world.Get_rank())
        failure: Optional[BaseException] = None
        try:
            # Every group's rank 0 reports its own temperatures; only the world's rank 0 redraws bars.
            with Progress(enabled=progress and group.Get_rank() == 0, live=leader) as bar:
                _StageRunner(self, everyone, bar if leader else Progress(enabled=False)).run_stages(plan.preparation)
                _StageRunner(self, InProcessLauncher(group, deepmd=deepmd), bar).run_chains(plan.chains[color::groups])
        except Exception as caught:  # a group's failure must reach every rank, or the others wait forever
            failure = caught
        finally:
            group.Free()
        reports = [r for r in world.allgather(None if failure is None else str(failure)) if r is not None]
        if reports:
            if lock:
                lock.release()
            raise failure if failure is not None else RuntimeError(f"another group of ranks failed: {reports[0]}")
        try:
            return _on_leader(everyone, self._harvest) or self.results_file
        finally:
            if lock:
                lock.release()

    def _lock_and_prepare(self, lock: Optional["_FolderLock"]) -> None:
        self._make_folder()
        if lock is None:
            return
        lock.acquire()
        try:
            self._prepare_folder()
        except BaseException:
            lock.release()
            raise

    def _relaunch_under_mpiexec(self, progress: bool) -> Path:
        from glassdyn.run.environment import lammps_environment, mpiexec_path

        if self.config_path is None:
            raise ConfigError("launch.mode: an in-process campaign built without a campaign file cannot start "
                              f"its own MPI ranks; run this Python under mpiexec -n {self.config.launch.np}")
        self._make_folder()
        with _FolderLock(self.folder):  # checked before the ranks start; each rank run checks again
            self._prepare_folder()
        launch = self.config.launch
        command = [str(mpiexec_path()), "-n", str(launch.np), sys.executable, "-m", "glassdyn", "run",
                   str(self.config_path), "--folder", str(self.folder), "--mode", "inprocess", "--np", str(launch.np),
                   "--parallel-temperatures", str(launch.parallel_temperatures), "--relaunched"]
        if not progress:
            command.append("--quiet")
        completed = subprocess.run(command, env=lammps_environment(deepmd=self.config.system.potential == "deepmd"))
        if completed.returncode != 0:
            raise RuntimeError(f"the in-process campaign under mpiexec failed (exit {completed.returncode}); "
                               f"see the stage logs in {self.folder}")
        return self.results_file

    # ------------------------------------------------------------------ folder
    def _make_folder(self) -> None:
        """Create the campaign folder; a path that is a file, or an unwritable place, is refused by name."""
        if self.folder.exists() and not self.folder.is_dir():
            raise StateError(f"campaign folder {self.folder} is a file; choose another folder (--folder) or "
                             "campaign.name")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a parent is a file
            raise StateError(f"campaign folder {self.folder}: a parent folder is a file; choose another folder "
                             "(--folder)") from None
        except PermissionError:
            raise StateError(f"campaign folder {self.folder} cannot be created (permission denied); choose a "
                             "writable place (--folder)") from None
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise StateError(f"campaign folder {self.folder} is not writable; make it writable, or copy it and "
                             "resume the copy (--folder)")

    def _prepare_folder(self) -> None:
        """Create the folder, or check that it holds this same campaign."""
        self._make_folder()
        settings = self.folder / "campaign.json"
        science = json.loads(json.dumps(self.config.science_dict()))
        if settings.exists():
            try:
                stored = json.loads(settings.read_text())
            except ValueError:
                raise StateError(f"{settings} is damaged (not JSON); delete it: every finished stage is then "
                                 "checked against the campaign file instead") from None
            if stored != science:
                changed = sorted(_differences(stored, science))
                raise ConfigError(f"{self.folder} holds a campaign with other settings ({', '.join(changed)} "
                                  "differ); run it with its own campaign.toml, or choose another folder")
        # Checked even when campaign.json exists: it may have been deleted and rewritten since.
        records.check_initial(self.folder, self.config)
        records.check_finished(self.folder, self.config, self.plan)
        if not settings.exists():
            _write_json(settings, science)
        if self.config.source_text and not (self.folder / "campaign.toml").exists():
            _write_text(self.folder / "campaign.toml", self.config.source_text)
        if self.config.system.potential == "deepmd":
            self._check_model()
        initial = self.folder / INITIAL_DATA
        if not initial.exists():
            initial.parent.mkdir(parents=True, exist_ok=True)
            temporary = initial.with_suffix(".tmp")
            write_initial_data(self.config, temporary)
            os.replace(temporary, initial)
        if not (self.folder / records.INITIAL_RECORD).exists():
            _write_json(self.folder / records.INITIAL_RECORD, records.initial_parameters(self.config))

    def _check_model(self) -> None:
        """The model's own type map must contain every species, at the positions the campaign uses.

        Asking DeePMD-kit costs a TensorFlow start-up (in a subprocess), so the answer is kept per
        model file (path, size, modification time) in the campaign folder.
        """
        from glassdyn.deepmd.environment import deepmd_available, missing_deepmd_message
        from glassdyn.deepmd.tiny_model import model_type_map

        if not deepmd_available():
            raise ConfigError(f"system.potential: {missing_deepmd_message()}")
        system = self.config.system
        model = Path(str(system.model))
        stat = model.stat()
        key = {"model": str(model), "size": stat.st_size, "mtime": stat.st_mtime}
        cache = self.folder / "model_check.json"
        stored = json.loads(cache.read_text()) if cache.exists() else {}
        if stored.get("key") != key:
            stored = {"key": key, "type_map": model_type_map(model)}
            _write_json(cache, stored)
        type_map = stored["type_map"]
        given = list(system.type_map or ())
        if given and given != [s for s in type_map if s in given]:
            raise ConfigError(f"system.type_map: {given} does not follow the model's type map {type_map}; "
                              f"use the model's order")
        absent = [s for s in system.species if s not in type_map]
        if absent:
            raise ConfigError(f"system.composition: the model {model.name} has no {absent}; its type map is {type_map}")

    def _harvest(self) -> Path:
        from glassdyn.results.harvest import harvest_campaign
        from glassdyn.results.store import write_results

        results = harvest_campaign(self.folder, self.config, self.plan)
        write_results(results, self.folder)
        return self.results_file


def _differences(a: Any, b: Any, prefix: str = "") -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: set[str] = set()
        for key in set(a) | set(b):
            out |= _differences(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else key)
        return out
    return set() if a == b else {prefix}


class _StageRunner:
    """Runs stages in order with one launcher, skipping finished ones."""

    def __init__(self, campaign: Campaign, launcher: Launcher, bar: Progress,
                 stopping: Optional[threading.Event] = None) -> None:
        self.campaign = campaign
        self.root = campaign.folder
        self.launcher = launcher
        self.bar = bar
        self.stopping = stopping or threading.Event()

    def run_chains(self, chains: Sequence[TemperatureChain]) -> None:
        for chain in chains:
            self.run_stages(chain.stages)
            if self.launcher.leader and self.bar.enabled:
                try:
                    self.bar.message(_temperature_summary(self.campaign, chain))
                except Exception as error:  # only a message: never stop the campaign for it
                    self.bar.message(f"T = {chain.temperature:g}: no summary ({error})")

    def run_stages(self, stages: Sequence[Stage]) -> None:
        cutoff = self._initial_cutoff()
        for stage in stages:
            if self.stopping.is_set():
                raise RuntimeError("campaign stopped")
            cutoff = self.run_stage(stage, cutoff)
            if stage.kind == "equilibrate":
                cutoff = self._initial_cutoff()  # every temperature starts from the same guess

    def _initial_cutoff(self) -> float:
        config = self.campaign.config
        if config.analysis.comm_cutoff is not None:
            return config.analysis.comm_cutoff
        skin = 1.0 if config.units == "metal" else 0.3
        return round(config.potential.cutoff + skin + config.analysis.string_delta + 1.0, 3)

    def run_stage(self, stage: Stage, cutoff: float) -> float:
        """Run one stage unless finished; returns the communication cutoff later segments should use."""
        folder = self.root / stage.name
        done = folder / "done.json"
        finished = _on_leader(self.launcher, lambda: records.read_done(done))
        if finished is not None:
            return float(finished.get("comm_cutoff", cutoff))
        # A widened cutoff found before an interruption is reused rather than rediscovered.
        cutoff = _on_leader(self.launcher, lambda: max(cutoff, self._retried_cutoff(stage)))
        for attempt in range(MAX_CUTOFF_RETRIES + 1):
            _on_leader(self.launcher, lambda: self._start(stage, folder, cutoff))
            started = time.monotonic()
            try:
                self.launcher.run(stage.name, folder / "in.lammps", folder / "log.lammps", self.root)
            except StageFailed as failure:
                suggested = _SUGGESTED_CUTOFF.search(failure.message)
                retry = stage.is_dms and suggested is not None and attempt < MAX_CUTOFF_RETRIES
                # Atoms moved farther than the ghost shell reaches: widen it for the rest of this
                # temperature (recorded in the journal and in done.json, so a resumed run agrees).
                wider = round(float(suggested.group(1)) * 1.15, 3) if retry and suggested else None
                message = failure.message
                _on_leader(self.launcher, lambda: self._failed(stage, cutoff, message, wider))
                if wider is None:
                    raise
                cutoff = wider
                continue
            seconds = time.monotonic() - started
            _on_leader(self.launcher, lambda: self._finished(stage, folder, cutoff, seconds))
            return cutoff
        raise AssertionError("unreachable")

    # Bookkeeping, done by the leader only (see _on_leader).
    def _start(self, stage: Stage, folder: Path, cutoff: float) -> None:
        pid = running_pid(folder)
        if pid is not None:
            raise RuntimeError(f"stage {stage.name}: LAMMPS started by an earlier driver is still running "
                               f"(mpiexec pid {pid}); stop it (kill {pid}) before resuming")
        source = self.root / stage.source
        if not source.exists():
            # A finished stage whose restart was deleted (to save space, by hand): LAMMPS would
            # stop with "Cannot open restart file" after the driver had cleared this stage.
            raise StateError(f"{source} is missing, but the stage that writes it is marked finished; delete "
                             f"{source.parent} to run that stage again")
        if folder.exists():
            shutil.rmtree(folder)  # a half-run stage restarts from its source file
        folder.mkdir(parents=True)
        (folder / "in.lammps").write_text(stage.input_text(self.campaign.config, cutoff))
        self._journal(stage, "start", cutoff)
        self.bar.start(stage.name, folder / "log.lammps", stage.steps)

    def _failed(self, stage: Stage, cutoff: float, message: str, next_cutoff: Optional[float]) -> None:
        self.bar.finish(stage.name)
        self._journal(stage, "failed", cutoff, message=message, next_cutoff=next_cutoff)

    def _finished(self, stage: Stage, folder: Path, cutoff: float, seconds: float) -> None:
        self.bar.finish(stage.name)
        restart = folder / "final.restart"
        if not restart.exists():
            raise StageFailed(stage.name, "LAMMPS finished without writing final.restart")
        _fsync(restart)
        text = (folder / "in.lammps").read_text()
        _write_json(folder / "done.json", records.done_record(stage, text, seconds=round(seconds, 3),
                                                              ranks=self.launcher.nprocs, mode=self.launcher.mode,
                                                              comm_cutoff=cutoff))
        self._journal(stage, "done", cutoff)
        self.bar.message(f"finished {stage.name} ({stage.steps} steps, {format_seconds(seconds)})")

    def _retried_cutoff(self, stage: Stage) -> float:
        values = [record.get("next_cutoff") or 0.0 for record in journal.read(self.root)
                  if record["stage"] == stage.name and record["event"] == "failed"]
        return max((float(v) for v in values if isinstance(v, (int, float))), default=0.0)

    def _journal(self, stage: Stage, event: str, cutoff: float, **extra: Any) -> None:
        record = {"time": time.time(), "stage": stage.name, "event": event, "ranks": self.launcher.nprocs,
                  "mode": self.launcher.mode, "comm_cutoff": cutoff}
        record.update({k: v for k, v in extra.items() if v is not None})
        journal.append(self.root, record)


def _on_leader(launcher: Launcher, action: Callable[[], Any]) -> Any:
    """Run bookkeeping on the leader only; every rank gets its result, or its exception.

    In-process, a rank that raised alone would leave the others waiting in the next collective
    call for ever; agreeing on the outcome makes all ranks continue or fail together.
    """
    outcome: Any = None
    error: Optional[BaseException] = None
    if launcher.leader:
        try:
            outcome = action()
        except Exception as caught:
            error = caught
    outcome, error = launcher.agree((outcome, error))
    if error is not None:
        raise error
    return outcome


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


class _FolderLock:
    """An exclusive lock on a campaign folder: two drivers must not run the same campaign at once."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"
        self.handle: Optional[Any] = None

    def acquire(self) -> None:
        import fcntl

        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            self.handle = None
            raise RuntimeError(f"{self.path.parent} is in use by another glassdyn driver; wait for it to finish "
                               "or stop it first") from None

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def __enter__(self) -> "_FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _temperature_summary(campaign: Campaign, chain: TemperatureChain) -> str:
    """One line per finished temperature: moduli and the string and cage fractions."""
    from glassdyn.results.harvest import harvest_period, summarise_cycles

    config = campaign.config
    unit, scale = ("GPa", 1e-4) if config.units == "metal" else ("", 1.0)
    m = "G" if config.dms.axis in ("xy", "xz", "yz") else "M"  # shear modulus or longitudinal modulus
    parts = [f"T = {chain.temperature:g}:"]
    for period, stages in chain.periods().items():
        cycles = harvest_period(campaign.folder, config, stages).cycles
        row = summarise_cycles(cycles).iloc[0]
        parts.append(f"period {period:g}: {m}' = {row.storage * scale:.4g} +- {row.storage_std * scale:.2g} {unit}, "
                     f"{m}'' = {row.loss * scale:.4g} +- {row.loss_std * scale:.2g} {unit}, "
                     f"N_str/N_fast = {row.str_per_fast:.3f}, cages broken = {row.cage_broken:.3f}")
    return " ".join(parts)
