"""A real Slurm (Debian slurm-wlm 22.05) as a one-node cluster on localhost, started and stopped
by the fixture in tests/slurm_cluster.py: the ground for `glassdyn submit` (issue 17)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from slurm_cluster import slurm_cluster  # noqa: E402,F401  (the fixture)

pytestmark = pytest.mark.slow


def sbatch(cluster, *args: str, cwd: Path) -> str:
    result = subprocess.run(["sbatch", "--parsable", *args], capture_output=True, text=True, env=cluster.env,
                            cwd=cwd, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split(";")[0]


def test_batch_job_runs_to_completion(slurm_cluster, tmp_path):
    job = sbatch(slurm_cluster, "--wrap", "hostname; echo ran-in-slurm", "-o", str(tmp_path / "job.out"), cwd=tmp_path)
    assert slurm_cluster.wait_job(job) == "COMPLETED"
    lines = (tmp_path / "job.out").read_text().split()
    assert lines == [slurm_cluster.node, "ran-in-slurm"]


def test_cancelled_job_leaves_its_dependent_unsatisfied(slurm_cluster, tmp_path):
    """What `glassdyn submit` relies on: afterok dependencies and scancel of a running job."""
    first = sbatch(slurm_cluster, "--wrap", "sleep 60", "-o", "/dev/null", cwd=tmp_path)
    second = sbatch(slurm_cluster, f"--dependency=afterok:{first}", "--wrap", "true", "-o", "/dev/null", cwd=tmp_path)
    subprocess.run(["scancel", first], check=True, env=slurm_cluster.env, timeout=60)
    assert slurm_cluster.wait_job(first) == "CANCELLED"
    for _ in range(60):  # the scheduler re-evaluates dependencies every few seconds
        out = subprocess.run(["squeue", "-h", "-j", second, "-o", "%r"], capture_output=True, text=True,
                             env=slurm_cluster.env, timeout=60).stdout
        if "DependencyNeverSatisfied" in out:
            break
        time.sleep(0.5)
    assert "DependencyNeverSatisfied" in out
    subprocess.run(["scancel", second], env=slurm_cluster.env, timeout=60)
