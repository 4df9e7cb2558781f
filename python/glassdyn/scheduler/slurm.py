"""The thin layer over Slurm's commands: ``sbatch --parsable``, ``scontrol -o show job``, ``scancel``.

Nothing else in glassdyn calls Slurm; the commands find the cluster as every Slurm client does
(``SLURM_CONF``, the default ``slurm.conf``). ``scontrol`` is used rather than ``sacct``, which
needs an accounting database; finished jobs stay visible for Slurm's ``MinJobAge`` (default 300 s),
after which a job is reported as ``gone`` and the campaign folder says what it did.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from glassdyn.run.errors import UserError

#: States in which a job may still run (it must not be submitted again).
ACTIVE = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING",
          "SUSPENDED", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD", "SPECIAL_EXIT"}


class SlurmError(RuntimeError):
    """A Slurm command failed; the message is Slurm's own."""


@dataclass(frozen=True)
class JobInfo:
    """What ``scontrol`` says of a job (``state`` ``gone`` once Slurm has forgotten it)."""

    job: str
    state: str
    reason: str = ""
    run_time: str = ""
    time_limit: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def _command(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise UserError(f"{name}: not found on PATH; glassdyn submit and status need Slurm's commands (run them on "
                        "the cluster's login node)")
    return found


def _run(args: Sequence[str], cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
    return subprocess.run([_command(args[0]), *args[1:]], capture_output=True, text=True, cwd=cwd, timeout=120)


def sbatch(script: Path, *, dependencies: Sequence[str] = (), cwd: Optional[Path] = None) -> str:
    """Submit ``script``; returns the job id. ``dependencies``: job ids that must end with success first.

    ``--kill-on-invalid-dep=yes``: when a job it depends on fails or is cancelled, the job is
    removed instead of waiting for ever (``glassdyn submit`` then submits it again).
    """
    args = ["sbatch", "--parsable", "--kill-on-invalid-dep=yes"]
    if dependencies:
        args.append("--dependency=afterok:" + ":".join(dependencies))
    result = _run([*args, str(script)], cwd=cwd)
    if result.returncode != 0:
        raise SlurmError(f"sbatch {script.name} failed: {' '.join(result.stderr.split())[:300]}")
    return result.stdout.strip().split(";")[0]  # "id" or "id;cluster"


def job_info(job: str) -> JobInfo:
    """The state of one job, from ``scontrol -o show job``."""
    result = _run(["scontrol", "-o", "show", "job", job])
    if result.returncode != 0:
        if "Invalid job id" in result.stderr:
            return JobInfo(job, "gone")
        raise SlurmError(f"scontrol show job {job} failed: {' '.join(result.stderr.split())[:300]}")
    fields = dict(word.split("=", 1) for word in result.stdout.split() if "=" in word)
    return JobInfo(job, fields.get("JobState", "UNKNOWN"), fields.get("Reason", ""), fields.get("RunTime", ""),
                   fields.get("TimeLimit", ""))


def scancel(job: str) -> None:
    result = _run(["scancel", job])
    if result.returncode != 0:
        raise SlurmError(f"scancel {job} failed: {' '.join(result.stderr.split())[:300]}")
