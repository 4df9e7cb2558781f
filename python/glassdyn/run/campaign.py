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
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.launch import InProcessLauncher, Launcher, StageFailed, SubprocessLauncher
from glassdyn.run.plan import INITIAL_DATA, Plan, Stage, TemperatureChain, make_plan
from glassdyn.run.progress import Progress, format_seconds
from glassdyn.run.structure import write_initial_data

_SUGGESTED_CUTOFF = re.compile(r"comm_modify cutoff ([0-9.eE+-]+)")
MAX_CUTOFF_RETRIES = 4


def _write_json(path: Path, data: Any) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True))
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
        self._prepare_folder()
        with Progress(enabled=progress) as bar:
            runner = _StageRunner(self, SubprocessLauncher(launch.np), bar)
            runner.run_stages(plan.preparation)
            groups = launch.parallel_temperatures
            group_launchers = [SubprocessLauncher(launch.np // groups) for _ in range(groups)]
            assignments = [plan.chains[g::groups] for g in range(groups)]
            with ThreadPoolExecutor(max_workers=groups) as pool:
                futures = [pool.submit(_StageRunner(self, group_launchers[g], bar).run_chains, assignments[g])
                           for g in range(groups)]
                for future in futures:
                    future.result()
        return self._harvest()

    def _run_in_process(self, world: Any, progress: bool) -> Path:
        launch = self.config.launch
        plan = self.plan
        leader = world.Get_rank() == 0
        error: Optional[BaseException] = None
        if leader:
            try:
                self._prepare_folder()
            except BaseException as caught:  # every rank must learn about it, or they wait forever
                error = caught
        error = world.bcast(error, root=0)
        if error is not None:
            raise error
        groups = launch.parallel_temperatures
        color = world.Get_rank() // (world.Get_size() // groups)
        group = world.Split(color, world.Get_rank())
        try:
            with Progress(enabled=progress and leader) as bar:
                _StageRunner(self, InProcessLauncher(world), bar).run_stages(plan.preparation)
                _StageRunner(self, InProcessLauncher(group), bar if group.Get_rank() == 0 else _quiet()).run_chains(
                    plan.chains[color::groups])
        finally:
            group.Free()
        world.Barrier()
        path = self._harvest() if leader else self.results_file
        world.Barrier()
        return path

    def _relaunch_under_mpiexec(self, progress: bool) -> Path:
        from glassdyn.run.environment import lammps_environment, mpiexec_path

        if self.config_path is None:
            raise ConfigError("launch.mode: an in-process campaign built without a campaign file cannot start "
                              f"its own MPI ranks; run this Python under mpiexec -n {self.config.launch.np}")
        self._prepare_folder()
        launch = self.config.launch
        command = [str(mpiexec_path()), "-n", str(launch.np), sys.executable, "-m", "glassdyn", "run",
                   str(self.config_path), "--folder", str(self.folder), "--mode", "inprocess", "--np", str(launch.np),
                   "--parallel-temperatures", str(launch.parallel_temperatures), "--relaunched"]
        if not progress:
            command.append("--quiet")
        completed = subprocess.run(command, env=lammps_environment())
        if completed.returncode != 0:
            raise RuntimeError(f"the in-process campaign under mpiexec failed (exit {completed.returncode}); "
                               f"see the stage logs in {self.folder}")
        return self.results_file

    # ------------------------------------------------------------------ folder
    def _prepare_folder(self) -> None:
        """Create the folder, or check that it holds this same campaign."""
        self.folder.mkdir(parents=True, exist_ok=True)
        settings = self.folder / "campaign.json"
        science = json.loads(json.dumps(self.config.science_dict()))
        if settings.exists():
            stored = json.loads(settings.read_text())
            if stored != science:
                changed = sorted(_differences(stored, science))
                raise ConfigError(f"{self.folder} holds a campaign with other settings ({', '.join(changed)} "
                                  "differ); run it with its own campaign.toml, or choose another folder")
        else:
            _write_json(settings, science)
        if self.config.source_text and not (self.folder / "campaign.toml").exists():
            (self.folder / "campaign.toml").write_text(self.config.source_text)
        initial = self.folder / INITIAL_DATA
        if not initial.exists():
            initial.parent.mkdir(parents=True, exist_ok=True)
            temporary = initial.with_suffix(".tmp")
            write_initial_data(self.config, temporary)
            os.replace(temporary, initial)

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


class _quiet(Progress):
    def __init__(self) -> None:
        super().__init__(enabled=False)


class _StageRunner:
    """Runs stages in order with one launcher, skipping finished ones."""

    def __init__(self, campaign: Campaign, launcher: Launcher, bar: Progress) -> None:
        self.campaign = campaign
        self.root = campaign.folder
        self.launcher = launcher
        self.bar = bar

    def run_chains(self, chains: Sequence[TemperatureChain]) -> None:
        for chain in chains:
            self.run_stages(chain.stages)
            if self.launcher.leader:
                self.bar.message(_temperature_summary(self.campaign, chain))

    def run_stages(self, stages: Sequence[Stage]) -> None:
        cutoff = self._initial_cutoff()
        for stage in stages:
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
        finished = self.launcher.agree(json.loads(done.read_text()) if done.exists() else None)
        if finished is not None:
            return float(finished.get("comm_cutoff", cutoff))
        for attempt in range(MAX_CUTOFF_RETRIES + 1):
            if self.launcher.leader:
                if folder.exists():
                    shutil.rmtree(folder)  # a half-run stage restarts from its source file
                folder.mkdir(parents=True)
                (folder / "in.lammps").write_text(stage.input_text(self.campaign.config, cutoff))
                self._journal(stage, "start", cutoff)
                self.bar.start(stage.name, folder / "log.lammps", stage.steps)
            self.launcher.agree(None)  # the script exists before any rank reads it
            started = time.monotonic()
            try:
                self.launcher.run(stage.name, folder / "in.lammps", folder / "log.lammps", self.root)
            except StageFailed as failure:
                suggested = _SUGGESTED_CUTOFF.search(failure.message)
                if self.launcher.leader:
                    self.bar.finish(stage.name)
                    self._journal(stage, "failed", cutoff, failure.message)
                if stage.is_dms and suggested and attempt < MAX_CUTOFF_RETRIES:
                    # Atoms moved farther than the ghost shell reaches; widen it for the rest of this
                    # temperature (recorded in done.json, so a resumed campaign uses the same value).
                    cutoff = round(float(suggested.group(1)) * 1.15, 3)
                    continue
                raise
            if self.launcher.leader:
                self.bar.finish(stage.name)
                seconds = time.monotonic() - started
                if not (folder / "final.restart").exists():
                    raise StageFailed(stage.name, "LAMMPS finished without writing final.restart")
                _write_json(done, {"stage": stage.name, "steps": stage.steps, "seconds": round(seconds, 3),
                                   "ranks": self.launcher.nprocs, "mode": self.launcher.mode, "comm_cutoff": cutoff})
                self._journal(stage, "done", cutoff)
                self.bar.message(f"finished {stage.name} ({stage.steps} steps, {format_seconds(seconds)})")
            self.launcher.agree(None)
            return cutoff
        raise AssertionError("unreachable")

    def _journal(self, stage: Stage, event: str, cutoff: float, message: str = "") -> None:
        record = {"time": time.time(), "stage": stage.name, "event": event, "ranks": self.launcher.nprocs,
                  "mode": self.launcher.mode, "comm_cutoff": cutoff}
        if message:
            record["message"] = message
        with open(self.root / "journal.jsonl", "a") as journal:
            journal.write(json.dumps(record) + "\n")


def _temperature_summary(campaign: Campaign, chain: TemperatureChain) -> str:
    """One line per finished temperature: moduli and the string and cage fractions."""
    from glassdyn.results.harvest import harvest_period, summarise_cycles

    config = campaign.config
    unit, scale = ("GPa", 1e-4) if config.units == "metal" else ("", 1.0)
    parts = [f"T = {chain.temperature:g}:"]
    for period, stages in chain.periods().items():
        cycles = harvest_period(campaign.folder, config, stages).cycles
        row = summarise_cycles(cycles).iloc[0]
        parts.append(f"period {period:g}: M' = {row.storage * scale:.4g} +- {row.storage_std * scale:.2g} {unit}, "
                     f"M'' = {row.loss * scale:.4g} +- {row.loss_std * scale:.2g} {unit}, "
                     f"N_str/N_fast = {row.str_per_fast:.3f}, cages broken = {row.cage_broken:.3f}")
    return " ".join(parts)
