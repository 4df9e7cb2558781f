"""``glassdyn submit`` and ``glassdyn status``: a campaign as Slurm jobs on its resumable folder.

The parts of a campaign are the preparation (``prep``) and each temperature (``T<T>``, its
equilibration and every period's segments); a last job harvests. Each part is one batch job
running ``glassdyn run CAMPAIGN --only PART``; the temperatures depend on the preparation
(``afterok``), the harvest on every temperature. Submitting again submits only the parts that
are unfinished and have no job still pending or running, so a job killed by its time limit or
cancelled is simply submitted again and resumes its part where it stopped.

The job ids are recorded in ``<folder>/slurm/jobs.json`` (the job scripts and outputs sit beside
it); the folder's ``done.json`` files, not the jobs, say what is finished.
"""
from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Optional

from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.files import write_json, write_text
from glassdyn.run.folder import make_folder, prepare_folder
from glassdyn.run.lock import FolderLock, setup_lock
from glassdyn.run.plan import PREPARATION, Plan, make_plan, part_stages, parts
from glassdyn.scheduler import slurm

JOBS = Path("slurm") / "jobs.json"
HARVEST = "harvest"


def job_script(config: CampaignConfig, part: str, *, folder: Path, config_path: Path,
               python: Optional[str] = None) -> str:
    """The batch script of one part (``prep``, ``T0.5`` or ``harvest``)."""
    s = config.slurm
    lines = ["#!/bin/bash", f"#SBATCH --job-name=gd-{config.name}-{part}",
             f"#SBATCH --output={folder / 'slurm' / f'{part}-%j.out'}"]
    if part == HARVEST:
        # Harvesting is serial work of the driver: one task, no GPU (stages are finished by then).
        lines.append("#SBATCH --ntasks=1")
    else:
        lines.append(f"#SBATCH --ntasks={s.ntasks or config.launch.np}")
        for option, value in (("nodes", s.nodes), ("cpus-per-task", s.cpus_per_task), ("gpus", s.gpus)):
            if value is not None:
                lines.append(f"#SBATCH --{option}={value}")
    for option, value in (("partition", s.partition), ("account", s.account), ("time", s.time)):
        if value is not None:
            lines.append(f"#SBATCH --{option}={value}")
    lines += [f"#SBATCH {option}" for option in s.sbatch]
    lines += ["set -e", *s.setup]
    program = [python or s.python or sys.executable, "-m", "glassdyn", "run", str(config_path), "--folder",
               str(folder)]
    if part != HARVEST:
        program += ["--only", part]
    # exec: the driver itself receives Slurm's SIGTERM (scancel, time limit) and stops its LAMMPS run.
    lines.append("exec " + " ".join(shlex.quote(word) for word in program))
    return "\n".join(lines) + "\n"


def read_jobs(folder: Path) -> list[dict[str, Any]]:
    """Every submission recorded in the folder, oldest first."""
    path = folder / JOBS
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except ValueError:
        raise ConfigError(f"{path} is damaged; delete it (the stage folders say what is finished; jobs still "
                          "queued are then not known to glassdyn status)") from None
    return records if isinstance(records, list) else []


def latest_jobs(folder: Path) -> dict[str, dict[str, Any]]:
    return {record["part"]: record for record in read_jobs(folder)}


def part_finished(folder: Path, plan: Plan, part: str) -> bool:
    if part == HARVEST:
        return (folder / "results.h5").exists() and all(part_finished(folder, plan, p) for p in parts(plan))
    return all((folder / stage.name / "done.json").exists() for stage in part_stages(plan, part))


def submit(config: CampaignConfig, folder: Path, config_path: Path) -> list[str]:
    """Submit every unfinished part that has no active job; returns one line per part."""
    if config.launch.mode != "subprocess":
        raise ConfigError("launch.mode: batch jobs run their stages in subprocess mode (launch.launcher starts "
                          "LAMMPS on the job's ranks); set launch.mode = \"subprocess\"")
    plan = make_plan(config)
    make_folder(folder)
    (folder / "slurm").mkdir(exist_ok=True)
    lines = []
    with FolderLock(folder, name=".submit.lock", what=f"another glassdyn submit is working on {folder}"):
        with setup_lock(folder):  # other settings are refused here, not hours later in a job
            prepare_folder(folder, config)
        records = read_jobs(folder)
        latest = {record["part"]: record for record in records}
        active: dict[str, str] = {}
        for part in [*parts(plan), HARVEST]:
            if part_finished(folder, plan, part):
                lines.append(f"{part}: finished")
                continue
            previous = latest.get(part)
            if previous is not None:
                info = slurm.job_info(previous["job"])
                if info.active:
                    active[part] = previous["job"]
                    lines.append(f"{part}: job {previous['job']} is {info.state.lower()}, kept")
                    continue
            needs = [] if part == PREPARATION else [PREPARATION] if part != HARVEST else [
                p for p in parts(plan)]
            dependencies = [active[p] for p in needs if p in active]
            script = folder / "slurm" / f"{part}.sh"
            write_text(script, job_script(config, part, folder=folder, config_path=config_path))
            job = slurm.sbatch(script, dependencies=dependencies, cwd=folder)
            active[part] = job
            records.append({"part": part, "job": job, "time": time.time(), "dependencies": dependencies})
            write_json(folder / JOBS, records)  # at once: a failing later sbatch must not lose this id
            after = f" after {', '.join(dependencies)}" if dependencies else ""
            lines.append(f"{part}: submitted job {job}{after}")
    return lines


def _stage_state(folder: Path, name: str) -> str:
    stage = folder / name
    if (stage / "done.json").exists():
        return "done"
    if (stage / "log.lammps").exists():
        return "started"
    return "waiting"


def status_lines(config: CampaignConfig, folder: Path, *, query: bool = True) -> list[str]:
    """One line per part (its latest job and its stages), then one per unfinished stage."""
    plan = make_plan(config)
    latest = latest_jobs(folder)
    lines = []
    for part in [*parts(plan), HARVEST]:
        record = latest.get(part)
        job = "no job"
        if record is not None:
            job = f"job {record['job']}"
            if query:
                info = slurm.job_info(record["job"])
                job += f" {info.state}"
                if info.state == "PENDING" and info.reason:
                    job += f" ({info.reason})"
                elif info.run_time:
                    job += f" {info.run_time}/{info.time_limit}"
        if part == HARVEST:
            done = "results.h5 written" if (folder / "results.h5").exists() else "results.h5 not yet written"
            lines.append(f"{part:<10} {job:<34} {done}")
            continue
        stages = part_stages(plan, part)
        states = [_stage_state(folder, stage.name) for stage in stages]
        lines.append(f"{part:<10} {job:<34} {states.count('done')}/{len(stages)} stages done")
        for stage, state in zip(stages, states):
            if state == "started":
                lines.append(f"  {stage.name}: started, not finished (running, or resumed by the next job)")
    return lines
