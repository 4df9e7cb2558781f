"""The campaign structure-dynamics glue (glassdyn.results.structure_dynamics) on synthetic Snapshot
objects built here: jittered fcc configurations in lj units (256 atoms, 2 types, non-contiguous
atom IDs) whose per-atom ``u`` is planted as a known function of each atom's Voronoi volume plus
noise, with a different mean and spread per snapshot (temperature). The planted relation must come
back from the pooled, per-snapshot standardised tables; with fewer than 3 snapshots the linear
model is skipped with a message; make_report writes the page."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from structure_extras import require

require("freud", "sklearn")

from glassdyn.results.panels import ReportWarning
from glassdyn.results.snapshots import Box, Snapshot
from glassdyn.results.structure_dynamics import campaign_structure_dynamics, snapshot_structure
from glassdyn.structure import per_atom_descriptors

NOISE = 0.3            # planted: z(u) = z(volume) + NOISE * gaussian, so r = 1 / sqrt(1 + NOISE^2) = 0.958
TEMPERATURES = (0.5, 0.6, 0.7, 0.8)


def fcc(cells: int, density: float, jitter: float, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    grid = np.array([[i, j, k] for i in range(cells) for j in range(cells) for k in range(cells)])
    sites = (grid[:, None, :] + basis[None, :, :]).reshape(-1, 3)
    length = (len(sites) / density) ** (1 / 3)
    positions = sites * length / cells + rng.normal(0.0, jitter, sites.shape)
    return np.mod(positions, length), length


def planted_snapshot(temperature: float, seed: int, kind: str = "inherent", jitter: float = 0.12,
                     plant: bool = True) -> Snapshot:
    """One snapshot: u = T + (T / 20) (z(volume) + NOISE * noise): mean and spread grow with T."""
    rng = np.random.default_rng(seed)
    positions, length = fcc(4, 1.2, jitter, rng)
    n = len(positions)
    ids = np.sort(rng.choice(np.arange(1, 10 * n), size=n, replace=False))
    types = np.where(rng.random(n) < 0.8, 1, 2)
    box = Box(np.zeros(3), np.full(3, length))
    shot = Snapshot(temperature=temperature, period=5.0, cycle=2, kind=kind, step=1000, time=5.0, stage="seg",
                    box=box, ids=ids, types=types, species=("A", "B"), positions=positions,
                    images=np.zeros((n, 3), dtype=np.int64), dynamics=pd.DataFrame({"id": ids}), units="lj")
    volume = per_atom_descriptors(snapshot_structure(shot), profile_edges=None, entropy_sigma=0.1,
                                  entropy_cutoff=2.0)["voronoi_volume"].to_numpy()
    z = (volume - volume.mean()) / volume.std()
    signal = z + NOISE * rng.normal(size=n) if plant else rng.normal(size=n)
    u = temperature + temperature * signal / 20.0
    shot.dynamics["u"] = u
    shot.dynamics["in_string"] = (u > np.quantile(u, 0.9)).astype(float)
    shot.dynamics["broken"] = 0.0                       # constant in every window: left out
    return shot


class Campaign:
    """The two attributes the glue reads of a CampaignResults."""

    def __init__(self, snapshots, name="planted"):
        self.snapshots = snapshots
        self.metadata = {"name": name}


@pytest.fixture(scope="module")
def snapshots():
    return [planted_snapshot(t, seed=10 + k) for k, t in enumerate(TEMPERATURES)]


def test_planted_relation_comes_back(snapshots):
    """r(voronoi_volume, u) pooled over 4 standardised snapshots is the planted 1/sqrt(1 + 0.3^2) = 0.958
    (within 0.03: 1024 atoms, Fisher s.e. ~0.003 plus the noise realisation), and the held-out linear
    model of whole snapshots predicts at least 80 % of the variance of u (the planted fraction is
    0.92; the model also sees the other descriptors, which can only add noise). 'broken', constant
    in every window, is left out; the groups are the 4 snapshots."""
    result = campaign_structure_dynamics(Campaign(snapshots))
    assert result.name == "planted"
    table = result.coefficients.table.set_index(["descriptor", "quantity", "method"])
    row = table.loc[("voronoi_volume", "u", "pearson")]
    assert row["n"] == 4 * 256 and row["n_groups"] == 4
    assert row["r"] == pytest.approx(1 / math.sqrt(1 + NOISE ** 2), abs=0.03)
    assert "broken" not in set(result.coefficients.table["quantity"])
    summary = result.linear.summary.set_index("quantity")
    assert summary.loc["u", "r2_mean"] > 0.8
    lengths = result.coarse.correlation_length.set_index(["descriptor", "quantity"])
    assert lengths.loc[("voronoi_volume", "u"), "r_at_zero"] == pytest.approx(row["r"], abs=1e-9)


def test_standardising_within_snapshots_matters(snapshots):
    """Without per-snapshot z-scores the pooled r mixes the means of u per temperature (0.5 ... 0.8,
    variance 0.0125 between snapshots against ~0.0012 within), which the volumes do not have: r
    drops to about 0.958 sqrt(0.0012 / 0.0137) ~ 0.3, well below the planted 0.958."""
    pooled = campaign_structure_dynamics(Campaign(snapshots), standardise="none", quantities=["u"])
    r = pooled.coefficients.table.set_index(["descriptor", "quantity", "method"]).loc[
        ("voronoi_volume", "u", "pearson"), "r"]
    assert r < 0.5


def test_fewer_than_three_snapshots_skip_the_linear_model(snapshots):
    """Two snapshots: coefficients and coarse-graining are computed, the linear model is not, and the
    ReportWarning says why (LinearPredictability holds whole snapshots out and needs 3)."""
    with pytest.warns(ReportWarning, match="no linear model: 2 snapshot"):
        result = campaign_structure_dynamics(Campaign(snapshots), temperatures=[0.5, 0.8])
    assert result.linear is None and result.coefficients is not None and result.coarse is not None
    assert set(result.coefficients.table["n_groups"]) == {2}


def test_bad_choices_name_what_exists(snapshots):
    """kind, temperatures and quantities that select nothing raise ValueError naming what exists."""
    with pytest.raises(ValueError, match="has no such snapshots; it has \\['inherent'\\]"):
        campaign_structure_dynamics(Campaign(snapshots), kind="thermal")
    with pytest.raises(ValueError, match="snapshot temperatures"):
        campaign_structure_dynamics(Campaign(snapshots), temperatures=[9.0])
    with pytest.raises(ValueError, match="quantities: \\['xi'\\]"):
        campaign_structure_dynamics(Campaign(snapshots), quantities=["xi"])
    with pytest.raises(ValueError, match="no snapshots"):
        campaign_structure_dynamics(Campaign([]))


def test_report_writes_the_page(snapshots, tmp_path):
    """make_report of a campaign with snapshots writes report/structure_dynamics/ with the planted
    sentence ("geometry predicts NN % of the variance of u", NN >= 80) and the settings; without
    snapshots it writes no such folder and warns nothing about it."""
    from glassdyn.results.report import make_report
    from test_results_report import synthetic_results

    results = synthetic_results()
    results.snapshots = list(snapshots)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportWarning)
        written = make_report(results, tmp_path, formats=("png",))
    folder = tmp_path / "structure_dynamics"
    assert folder / "coefficients.png" in written and folder / "learning_curves.png" in written
    text = (folder / "predictability.txt").read_text()
    percent = int(text.split("of the variance of u")[0].split("geometry predicts ")[-1].split(" %")[0])
    assert percent >= 80
    assert "standardised within each snapshot" in (folder / "settings.txt").read_text()
    assert written[-1].name == "fits.json"

    bare = tmp_path / "bare"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportWarning)
        make_report(synthetic_results(), bare, formats=("png",))
    assert not (bare / "structure_dynamics").exists()
