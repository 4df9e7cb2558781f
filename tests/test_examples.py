"""The example inputs in lammps_inputs/ run as shipped (here with fewer steps) and print
their summaries; the numbers are checked for sense, not for physics (the runs are tiny)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from glassdyn.launching import run_lammps

INPUTS = Path(__file__).resolve().parents[1] / "lammps_inputs"
SMALL = {"melt_steps": 200, "anneal_steps": 200, "quench_steps": 200}


@pytest.mark.slow
def test_dms_example_runs(tmp_path):
    shutil.copy(INPUTS / "in.dms_cuzr", tmp_path)
    result = run_lammps(tmp_path / "in.dms_cuzr", nprocs=2, variables={**SMALL, "period": 0.4, "cycles": 3},
                        check=True)
    assert "averaged over 2 cycles (first discarded)" in result.output
    storage = float(re.search(r"M_storage = ([0-9.]+)", result.output).group(1))
    assert 20 < storage < 400                                  # GPa, a metallic glass or liquid
    rows = [line.split() for line in (tmp_path / "dms_strings_cages.txt").read_text().splitlines()
            if not line.startswith("#")]
    assert [int(r[0]) for r in rows] == [0, 200, 400, 600]     # one row per cycle = window


@pytest.mark.slow
def test_main_job_runs(tmp_path):
    shutil.copy(INPUTS / "in.stringlike_cuzr", tmp_path)
    result = run_lammps(tmp_path / "in.stringlike_cuzr", nprocs=2,
                        variables={**SMALL, "window": 100, "nwindows": 3}, check=True)
    assert "strings, cages and p(u) in Cu64Zr36" in result.output
    assert "broken cages, Zr" in result.output and "p(u) (1/A), averaged over windows" in result.output


@pytest.mark.slow
def test_correlate_example_runs(tmp_path):
    """The Kob-Andersen relaxation example, shortened: tau_alpha and D of A and B come out positive
    (lags up to 8 x 100 steps = 4 tau reach F_s < 1/e at T = 1.0, tau_alpha ~ 1)."""
    shutil.copy(INPUTS / "in.correlate_ka", tmp_path)
    result = run_lammps(tmp_path / "in.correlate_ka", nprocs=2, variables={"every": 100, "equilibrate": 500},
                        check=True)
    assert "relaxation of the KA liquid at T = 1.0" in result.output
    for species in ("A", "B"):
        tau = float(re.search(rf"{species}: tau_alpha = ([0-9.e+-]+)", result.output).group(1))
        assert 0.2 < tau < 4.0


@pytest.mark.slow
def test_percolation_example_runs(tmp_path):
    """The double-percolation example, shortened: the summary is printed, probabilities lie in
    [0, 1] and largest-cluster fractions in (0, 1] (each class has atoms, so some cluster exists),
    and the per-window file has a row at the run start and one per window end."""
    shutil.copy(INPUTS / "in.percolation_ka", tmp_path)
    result = run_lammps(tmp_path / "in.percolation_ka", nprocs=2,
                        variables={"melt_steps": 200, "equilibrate": 200, "window": 100, "nwindows": 3},
                        check=True)
    assert "double percolation in the Kob-Andersen liquid" in result.output
    probability = re.search(r"percolation probability over windows\s+([0-9.]+)\s+([0-9.]+)", result.output)
    largest = re.search(r"largest cluster / class\s+([0-9.]+)\s+([0-9.]+)", result.output)
    assert all(0.0 <= float(v) <= 1.0 for v in probability.groups())
    assert all(0.0 < float(v) <= 1.0 for v in largest.groups())
    rows = [line.split() for line in (tmp_path / "percolation_per_window.txt").read_text().splitlines()
            if not line.startswith("#")]
    assert [int(r[0]) for r in rows] == [0, 100, 200, 300]     # step 0 (no window yet), then each end
