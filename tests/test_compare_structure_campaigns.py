"""Two tiny Kob-Andersen campaigns with [snapshots] (300 atoms, 3 temperatures, 2 cycles, ``mpiexec -n 2
lmp`` subprocesses) through ``glassdyn report`` and ``glassdyn compare`` end to end: the report writes
the structure-dynamics page of the 3 inherent snapshots with the linear model, and compare writes
the SOAP rows, equal to StructuralSimilarity computed by hand on the same harvested snapshots, and
the side-by-side page with its sentences in comparison.md."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.image import imread as plt_imread
import pytest

pytest.importorskip("dscribe")
pytest.importorskip("sklearn")

import glassdyn
from glassdyn.results.snapshots import select
from glassdyn.results.structure_dynamics import length_scale, snapshot_structure
from test_driver_campaign import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.mpi]

CONFIG = """
[campaign]
name = "{name}"
seed = {seed}

[system]
potential = "kob-andersen"
composition = {{ A = 80, B = 20 }}
atoms = 300

[preparation]
melt_temperature = 2.0
melt_time = 5.0
quench_rate = 0.2
low_temperature = 0.4

[dms]
temperatures = [0.5, 0.65, 0.8]
periods = [5.0]
cycles = 2
equilibration_time = 2.5

[snapshots]

[launch]
np = 2
"""

SIMILARITY = "SOAP similarity K to ka1 at T/T_alpha ~ 0.85"
SELF = "SOAP self-similarity K(coldest, hottest snapshot)"


@pytest.fixture(scope="module")
def campaigns(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("ka")
    out = []
    for name, seed in (("ka1", 11), ("ka2", 12)):
        path = folder / f"{name}.toml"
        path.write_text(CONFIG.format(name=name, seed=seed))
        completed = run_cli(path)
        assert completed.returncode == 0, completed.stderr + completed.stdout
        out.append(folder / name)
    return out


def glassdyn_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "glassdyn", *args], capture_output=True, text=True, timeout=600)


def test_report_writes_the_structure_dynamics_page(campaigns, tmp_path):
    """make_report (what `glassdyn report` runs) on a campaign with 3 inherent snapshots: the page has
    the coefficient heat map, r(R), the learning curves (3 snapshots: the linear model runs) and
    settings.txt naming the 3 groups."""
    import warnings

    from glassdyn.results.report import make_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # 3 temperatures: T_alpha at the scan edge, said by the report
        make_report(glassdyn.load(campaigns[0]), tmp_path, formats=("png",))
    page = tmp_path / "structure_dynamics"
    for name in ("coefficients.png", "coarse_graining.png", "learning_curves.png", "predictability.txt"):
        assert (page / name).is_file(), name
    assert "3 inherent snapshot(s)" in (page / "settings.txt").read_text()
    assert "geometry predicts" in (page / "predictability.txt").read_text()


def test_compare_writes_similarity_rows_and_page(campaigns, tmp_path):
    """`glassdyn compare ka1 ka2`: the SOAP row of ka2 is the similarity StructuralSimilarity gives on
    the inherent snapshots at the temperatures the table names (same descriptor: species by type
    order, the lj-scaled docs/structure.md defaults, 500 centres = all 300 atoms, so error 0); two
    glasses of the same model are alike (K > 0.98) but not identical (K < 1: different seeds);
    the self-similarity rows compare T = 0.5 with 0.8; the side-by-side page and its sentences are
    written."""
    from glassdyn.structure import SOAPDescriptor, StructuralSimilarity

    out = tmp_path / "cmp"
    completed = glassdyn_cli("compare", str(campaigns[0]), str(campaigns[1]), "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    table = pd.read_csv(out / "comparison.csv", keep_default_na=False).set_index("quantity")
    at = "T of the SOAP structure at T/T_alpha ~ 0.85"
    temperatures = [float(table.loc[at, label]) for label in ("ka1", "ka2")]
    results = [glassdyn.load(c) for c in campaigns]
    shots = [select(r.snapshots, temperature=t, kind="inherent") for r, t in zip(results, temperatures)]
    scale = length_scale(shots[0])
    descriptor = SOAPDescriptor(["type1", "type2"], r_cut=6.0 * scale, sigma=0.5 * scale, n_centers=500)
    by_hand = StructuralSimilarity(descriptor).compute(*(snapshot_structure(s) for s in shots)).similarity
    assert float(table.loc[SIMILARITY, "ka2"]) == pytest.approx(by_hand, abs=1e-8)
    assert 0.98 < by_hand < 1.0
    assert float(table.loc[SIMILARITY, "ka1"]) == 1.0
    for label in ("ka1", "ka2"):
        assert 0.9 < float(table.loc[SELF, label]) <= 1.0
        assert table.loc[SELF, f"{label}_note"] == "inherent snapshots at T = 0.5 and 0.8"
    page = out / "structure_dynamics"
    assert (page / "ka1" / "coefficients.png").is_file() and (page / "ka2" / "learning_curves.png").is_file()
    assert (page / "comparison.txt").read_text().startswith("geometry predicts")
    for label in ("ka1", "ka2"):   # the strings of each glass pictured side by side (the study's Fig. 2d/e)
        image = plt_imread(out / f"strings_snapshot_{label}.png")
        assert image.std() > 0.01, label
    markdown = (out / "comparison.md").read_text()
    assert "## Structure and dynamics" in markdown and "in ka1 (held-out" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith(f"| {SIMILARITY}"))
    assert f"{by_hand:.6g}" in row     # six digits: K differs from 1 in the 4th or 5th
    assert np.isfinite(float(table.loc["T/T_alpha of the SOAP structure at T/T_alpha ~ 0.85", "ka1"] or "nan")) \
        or "no T_alpha" in table.loc[at, "ka1_note"]
