"""`glassdyn submit` and `glassdyn status` on a real Slurm (the one-node cluster of tests/slurm_cluster.py).

The tiny Kob-Andersen campaign of test_driver_campaign (300 atoms, 2 temperatures) is submitted
as three jobs plus a harvest job; the job of one temperature is cancelled (scancel) while one of
its stages runs; `glassdyn submit` again submits only what is unfinished; the results file equals
the one `glassdyn run` made in another folder. Nothing of LAMMPS or Slurm is mocked.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from slurm_cluster import slurm_cluster  # noqa: E402,F401  (the fixture)
from test_driver_campaign import assert_same_results, journal, write_campaign  # noqa: E402,F401

from glassdyn.run.config import CampaignConfig  # noqa: E402
from glassdyn.scheduler.jobs import job_script  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.mpi]


def glassdyn(cluster, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "glassdyn", *args], capture_output=True, text=True,
                          env=cluster.env, timeout=300)


def jobs(folder: Path) -> dict[str, str]:
    return {r["part"]: r["job"] for r in json.loads((folder / "slurm" / "jobs.json").read_text())}


def wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def test_submitted_campaign_resumes_a_cancelled_job(slurm_cluster, reference: Path, tmp_path: Path):
    config = write_campaign(tmp_path)
    folder = tmp_path / "tiny-ka"
    first = glassdyn(slurm_cluster, "submit", str(config))
    assert first.returncode == 0, first.stderr
    ids = jobs(folder)
    assert set(ids) == {"prep", "T0.5", "T0.8", "harvest"}
    assert f"T0.8: submitted job {ids['T0.8']} after {ids['prep']}" in first.stdout
    assert f"harvest: submitted job {ids['harvest']} after {ids['prep']}, {ids['T0.5']}, {ids['T0.8']}" in first.stdout

    # Cancel the T = 0.8 job while its first DMS segment runs.
    target = folder / "T0.8/P5/seg001"
    wait_for(lambda: (target / "log.lammps").exists() and "Step" in (target / "log.lammps").read_text(), 240,
             f"{target} to start (prep job: {slurm_cluster.job_state(ids['prep'])})")
    subprocess.run(["scancel", ids["T0.8"]], check=True, env=slurm_cluster.env, timeout=60)
    assert slurm_cluster.wait_job(ids["T0.8"]) == "CANCELLED"
    assert slurm_cluster.wait_job(ids["harvest"]) == "CANCELLED"  # its dependency can never be satisfied
    assert slurm_cluster.wait_job(ids["T0.5"]) == "COMPLETED"
    assert not (folder / "T0.8/P5/seg003/done.json").exists()
    status = glassdyn(slurm_cluster, "status", str(config))
    assert status.returncode == 0, status.stderr
    assert f"T0.8       job {ids['T0.8']} CANCELLED" in status.stdout
    assert "T0.5" in status.stdout and "4/4 stages done" in status.stdout

    again = glassdyn(slurm_cluster, "submit", str(config))
    assert again.returncode == 0, again.stderr
    assert "prep: finished" in again.stdout and "T0.5: finished" in again.stdout
    resubmitted = jobs(folder)
    assert resubmitted["T0.8"] != ids["T0.8"] and resubmitted["harvest"] != ids["harvest"]
    assert f"T0.8: submitted job {resubmitted['T0.8']}\n" in again.stdout + "\n"  # no dependency left
    assert slurm_cluster.wait_job(resubmitted["T0.8"], timeout=240) == "COMPLETED"
    assert slurm_cluster.wait_job(resubmitted["harvest"], timeout=240) == "COMPLETED"

    assert_same_results(reference / "results.h5", folder / "results.h5")
    events = journal(folder)
    done = Counter(e["stage"] for e in events if e["event"] == "done")
    started = Counter(e["stage"] for e in events if e["event"] == "start")
    assert set(done.values()) == {1}, "a finished stage ran twice"
    repeated = [stage for stage, n in started.items() if n > 1]
    assert repeated and all(stage.startswith("T0.8/") for stage in repeated), started
    final = glassdyn(slurm_cluster, "status", str(config))
    assert "results.h5 written" in final.stdout
    nothing = glassdyn(slurm_cluster, "submit", str(config))
    assert nothing.stdout.count("finished") == 4 and "submitted" not in nothing.stdout


def test_srun_launches_an_explicit_lammps_in_the_jobs(slurm_cluster, reference: Path, tmp_path: Path):
    """launcher = ["srun", "--mpi=pmi2"] and the LAMMPS binary by path, as on a cluster: the jobs'
    stages run as srun steps (the mpich library speaks PMI to slurmstepd), results equal glassdyn run."""
    from glassdyn.launching import lmp_binary

    config = write_campaign(tmp_path)
    config.write_text(config.read_text() + f'lammps = "{lmp_binary()}"\nlauncher = ["srun", "--mpi=pmi2"]\n')
    folder = tmp_path / "tiny-ka"
    submitted = glassdyn(slurm_cluster, "submit", str(config))
    assert submitted.returncode == 0, submitted.stderr
    harvest = jobs(folder)["harvest"]
    assert slurm_cluster.wait_job(harvest, timeout=300) == "COMPLETED", glassdyn(slurm_cluster, "status",
                                                                                  str(config)).stdout
    assert_same_results(reference / "results.h5", folder / "results.h5")
    preflight = json.loads((folder / "preflight.json").read_text())
    assert preflight["command"][:4] == ["srun", "--mpi=pmi2", "-n", "1"]
    # Each stage ran as a step of its job on 2 ranks (LAMMPS's own log says how many).
    grid = re.search(r"(\d+) by (\d+) by (\d+) MPI processor grid", (folder / "T0.8/P5/seg003/log.lammps").read_text())
    assert grid and int(grid[1]) * int(grid[2]) * int(grid[3]) == 2


def test_job_script_carries_the_slurm_table(tmp_path: Path):
    """Command-line construction only (the jobs themselves run in the test above)."""
    import tomllib

    data = tomllib.loads(write_campaign(tmp_path).read_text())
    data["slurm"] = {"partition": "gpu", "account": "proj42", "time": "12:00:00", "nodes": 1, "gpus": "a100:4",
                     "cpus_per_task": 8, "sbatch": ["--qos=long"], "setup": ["module load lammps/2Aug2023-kokkos"],
                     "python": "/opt/venv/bin/python"}
    config = CampaignConfig.from_dict(data)
    script = job_script(config, "T0.5", folder=tmp_path / "f", config_path=tmp_path / "c.toml")
    lines = script.splitlines()
    for line in ("#SBATCH --ntasks=2", "#SBATCH --nodes=1", "#SBATCH --cpus-per-task=8", "#SBATCH --gpus=a100:4",
                 "#SBATCH --partition=gpu", "#SBATCH --account=proj42", "#SBATCH --time=12:00:00",
                 "#SBATCH --qos=long", "module load lammps/2Aug2023-kokkos"):
        assert line in lines
    assert lines[-1] == f"exec /opt/venv/bin/python -m glassdyn run {tmp_path / 'c.toml'} --folder {tmp_path / 'f'} " \
                        "--only T0.5"
    harvest = job_script(config, "harvest", folder=tmp_path / "f", config_path=tmp_path / "c.toml")
    assert "#SBATCH --ntasks=1" in harvest and "--gpus" not in harvest and "--only" not in harvest
