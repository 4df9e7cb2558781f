"""glassdyn.compare with snapshots (glassdyn.comparison.structure) on synthetic campaigns (the planted
campaigns of test_compare with Snapshot objects of test_structure_dynamics attached): the SOAP
similarity row is 1 within its error for the same structure moved and renumbered, clearly below 1
for a crystal against a disordered copy, the self-similarity row compares the coldest and the
hottest snapshot, the side-by-side structure-dynamics page and its sentences are written, and a
campaign without snapshots gives "—" with a footnote instead of an error."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from structure_extras import require

require("dscribe", "sklearn")

import glassdyn.comparison.structure as structure_module
from glassdyn.comparison import compare
from glassdyn.results.snapshots import Box, Snapshot
from test_compare import _table, _value, campaign
from test_structure_dynamics import planted_snapshot

pytestmark = pytest.mark.slow   # ~10 s per comparison (SOAP and the structure-dynamics page of each campaign)

TEMPERATURES = (400.0, 450.0, 500.0)
CENTERS = 150          # fewer SOAP centres than the 256 atoms: the estimator and its error are exercised
SIMILARITY = "SOAP similarity K to A at T/T_alpha ~ 0.85"
SELF = "SOAP self-similarity K(coldest, hottest snapshot)"


def moved(shot: Snapshot, seed: int) -> Snapshot:
    """The same structure translated by a random vector (wrapped) with its atoms renumbered."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(shot.natoms)
    length = shot.box.hi - shot.box.lo
    positions = np.mod(shot.positions[order] + rng.random(3) * length, length)
    ids = np.arange(1, shot.natoms + 1)
    dynamics = shot.dynamics.iloc[order].reset_index(drop=True).assign(id=ids)
    return Snapshot(temperature=shot.temperature, period=shot.period, cycle=shot.cycle, kind=shot.kind,
                    step=shot.step, time=shot.time, stage=shot.stage, box=Box(shot.box.lo, shot.box.hi), ids=ids,
                    types=shot.types[order], species=shot.species, positions=positions,
                    images=shot.images[order], dynamics=dynamics, units=shot.units)


@pytest.fixture(autouse=True)
def fewer_centres(monkeypatch):
    monkeypatch.setattr(structure_module, "SOAP_CENTERS", CENTERS)


@pytest.fixture(scope="module")
def glass():
    """Jitter grows with T (0.08, 0.12, 0.16 sigma): the coldest and hottest snapshots differ."""
    return [planted_snapshot(t, seed=20 + k, jitter=0.08 + 0.04 * k) for k, t in enumerate(TEMPERATURES)]


def run(tmp_path, a_snapshots, b_snapshots, labels=("A", "B")):
    a, b = campaign("a"), campaign("b", shift=30.0)
    a.snapshots, b.snapshots = list(a_snapshots), list(b_snapshots)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = compare([a, b], tmp_path, labels=list(labels), formats=("png",))
    return written, _table(written)


def test_same_structure_moved_is_similar_and_page_is_written(tmp_path, glass):
    """B's snapshots are A's translated and renumbered: K(A, B) = 1 within 4 bootstrap errors (the
    centres differ, 150 of 256 atoms); the row of A is 1 (the reference). The self-similarity of each
    is below 1 (jitter 0.08 against 0.16). Both campaigns' structure-dynamics pages and the side by
    side comparison are in structure_dynamics/, and comparison.md carries the planted sentence
    "geometry predicts NN % in A ... and MM % in B ... of the variance of u"."""
    written, table = run(tmp_path, glass, [moved(s, 7 + k) for k, s in enumerate(glass)])
    k_b, error = _value(table, SIMILARITY, "B"), _value(table, SIMILARITY, "B_err")
    assert _value(table, SIMILARITY, "A") == 1.0
    assert error > 0 and abs(k_b - 1.0) <= 4 * error
    assert _value(table, f"T of the SOAP structure at T/T_alpha ~ 0.85", "A") == 450.0   # nearest 0.85 x 512 K
    assert _value(table, f"T of the SOAP structure at T/T_alpha ~ 0.85", "B") == 450.0   # 0.85 x 542 K = 461
    for label in ("A", "B"):
        assert _value(table, SELF, label) < 1.0 - 5 * _value(table, SELF, f"{label}_err")
    assert "inherent snapshots at T = 400 and 500" in table.loc[SELF, "A_note"]
    page = tmp_path / "structure_dynamics"
    assert page / "comparison.png" in written and (page / "A" / "coefficients.png").is_file()
    markdown = (tmp_path / "comparison.md").read_text()
    assert "## Structure and dynamics" in markdown
    assert "in A (held-out" in markdown and "of the variance of u" in markdown


def test_crystal_and_disordered_copy_differ(tmp_path, glass):
    """A: nearly perfect fcc (jitter 0.02 sigma); B: the same lattice with jitter 0.3 sigma (no longer a
    crystal): K is clearly below 1, by more than 10 of its errors."""
    crystal = [planted_snapshot(t, seed=40 + k, jitter=0.02) for k, t in enumerate(TEMPERATURES)]
    disordered = [planted_snapshot(t, seed=40 + k, jitter=0.3) for k, t in enumerate(TEMPERATURES)]
    _, table = run(tmp_path, crystal, disordered)
    k_b, error = _value(table, SIMILARITY, "B"), _value(table, SIMILARITY, "B_err")
    assert k_b < 1.0 - 10 * error and k_b < 0.99


def test_a_campaign_without_snapshots_gets_dashes(tmp_path, glass):
    """B has no snapshots: its structure cells are '—' with the footnote naming why, A's rows are
    filled, and compare does not fail; the page holds A only and comparison.md says B has none."""
    written, table = run(tmp_path, glass, [])
    assert math.isnan(_value(table, SIMILARITY, "B"))
    assert table.loc[SIMILARITY, "B_note"] == "no [snapshots] in this campaign"
    assert _value(table, SELF, "A") < 1.0
    markdown = (tmp_path / "comparison.md").read_text()
    row = next(line for line in markdown.splitlines() if line.startswith(f"| {SIMILARITY}"))
    assert row.rstrip().endswith("— [" + row.rsplit("[", 1)[1])
    assert "B: no [snapshots] in this campaign, no structure-dynamics page." in markdown
    assert "A: geometry predicts" in markdown
    assert (tmp_path / "structure_dynamics" / "A" / "predictability.txt").is_file()


def test_no_snapshots_anywhere_adds_nothing(tmp_path):
    """Campaigns without snapshots: no structure rows, no page, comparison.md as before."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = compare([campaign("a"), campaign("b", shift=30.0)], tmp_path, labels=["A", "B"], formats=("png",))
    assert not any("SOAP" in q for q in _table(written).index)
    assert not (tmp_path / "structure_dynamics").exists()
