"""Running the stages of a plan in order with one launcher, skipping finished ones.

A stage is finished exactly when its ``done.json`` exists (written after LAMMPS returned and
``final.restart`` is on disk, by an atomic rename); an unfinished stage is started afresh from the
file it starts from (its half-written outputs are removed). ``journal.jsonl`` records every start,
failure and finish, so one can check that no stage ran twice.
"""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from glassdyn.launching.errors import StageFailed
from glassdyn.launching.launchers import Launcher, running_pid
from glassdyn.run import journal, records
from glassdyn.run.config import CampaignConfig
from glassdyn.run.errors import StateError
from glassdyn.run.files import fsync, write_json
from glassdyn.run.plan import Stage, TemperatureChain
from glassdyn.run.progress import Progress, format_seconds

#: A one-line account of a finished temperature (given by the caller: the driver does not read results).
Summary = Callable[[TemperatureChain], str]


def on_leader(launcher: Launcher, action: Callable[[], Any]) -> Any:
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


class StageRunner:
    """Runs stages in order with one launcher, skipping finished ones.

    Parameters
    ----------
    config : CampaignConfig
        The campaign.
    root : path
        The campaign folder (LAMMPS's working folder).
    launcher : Launcher
        Starts LAMMPS; its leader keeps the books.
    bar : Progress
        Progress display (disabled on ranks that do not report).
    stopping : threading.Event, optional
        Set by the driver when it is stopped: no new stage starts.
    summary : callable, optional
        Called after each finished temperature for a line to show.
    """

    def __init__(self, config: CampaignConfig, root: Path, launcher: Launcher, bar: Progress,
                 stopping: Optional[threading.Event] = None, summary: Optional[Summary] = None) -> None:
        self.config = config
        self.root = root
        self.launcher = launcher
        self.bar = bar
        self.stopping = stopping or threading.Event()
        self.summary = summary

    def run_chains(self, chains: Sequence[TemperatureChain]) -> None:
        for chain in chains:
            self.run_stages(chain.stages)
            if self.launcher.leader and self.bar.enabled and self.summary is not None:
                try:
                    self.bar.message(self.summary(chain))
                except Exception as error:  # only a message: never stop the campaign for it
                    self.bar.message(f"T = {chain.temperature:g}: no summary ({error})")

    def run_stages(self, stages: Sequence[Stage]) -> None:
        for stage in stages:
            if self.stopping.is_set():
                raise RuntimeError("campaign stopped")
            self.run_stage(stage)

    def run_stage(self, stage: Stage) -> None:
        """Run one stage unless finished.

        The communication cutoff is LAMMPS's default (force range + skin) unless the campaign sets
        ``analysis.comm_cutoff``: the analyses exchange what they need across ranks at window ends,
        so no stage asks for a wider ghost shell and none is retried with one.
        """
        folder = self.root / stage.name
        done = folder / "done.json"
        if on_leader(self.launcher, lambda: records.read_done(done)) is not None:
            return
        cutoff = self.config.analysis.comm_cutoff
        on_leader(self.launcher, lambda: self._start(stage, folder, cutoff))
        started = time.monotonic()
        try:
            self.launcher.run(stage.name, folder / "in.lammps", folder / "log.lammps", self.root)
        except StageFailed as failure:
            message = failure.message
            on_leader(self.launcher, lambda: self._failed(stage, cutoff, message))
            raise
        seconds = time.monotonic() - started
        on_leader(self.launcher, lambda: self._finished(stage, folder, cutoff, seconds))

    # Bookkeeping, done by the leader only (see on_leader).
    def _start(self, stage: Stage, folder: Path, cutoff: Optional[float]) -> None:
        pid = running_pid(folder)
        if pid is not None:
            raise RuntimeError(f"stage {stage.name}: LAMMPS started by an earlier driver is still running "
                               f"(launcher pid {pid} on this host); stop it (kill {pid}) before resuming")
        source = self.root / stage.source
        if not source.exists():
            # A finished stage whose restart was deleted (to save space, by hand): LAMMPS would
            # stop with "Cannot open restart file" after the driver had cleared this stage.
            raise StateError(f"{source} is missing, but the stage that writes it is marked finished; delete "
                             f"{source.parent} to run that stage again")
        if folder.exists():
            shutil.rmtree(folder)  # a half-run stage restarts from its source file
        folder.mkdir(parents=True)
        (folder / "in.lammps").write_text(stage.input_text(self.config, cutoff), encoding="utf-8")
        self._journal(stage, "start", cutoff)
        self.bar.start(stage.name, folder / "log.lammps", stage.steps)

    def _failed(self, stage: Stage, cutoff: Optional[float], message: str) -> None:
        self.bar.finish(stage.name)
        self._journal(stage, "failed", cutoff, message=message)

    def _finished(self, stage: Stage, folder: Path, cutoff: Optional[float], seconds: float) -> None:
        self.bar.finish(stage.name)
        restart = folder / "final.restart"
        if not restart.exists():
            raise StageFailed(stage.name, "LAMMPS finished without writing final.restart")
        fsync(restart)
        text = (folder / "in.lammps").read_text(encoding="utf-8")
        write_json(folder / "done.json", records.done_record(stage, text, seconds=round(seconds, 3),
                                                             ranks=self.launcher.nprocs, mode=self.launcher.mode,
                                                             comm_cutoff=cutoff))
        self._journal(stage, "done", cutoff)
        self.bar.message(f"finished {stage.name} ({stage.steps} steps, {format_seconds(seconds)})")

    def _journal(self, stage: Stage, event: str, cutoff: Optional[float], **extra: Any) -> None:
        record = {"time": time.time(), "stage": stage.name, "event": event, "ranks": self.launcher.nprocs,
                  "mode": self.launcher.mode, "comm_cutoff": cutoff}
        record.update({k: v for k, v in extra.items() if v is not None})
        journal.append(self.root, record)
