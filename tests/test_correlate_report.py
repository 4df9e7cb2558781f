"""glassdyn.correlate.correlation_report: the report page of one campaign and the side-by-side of two,
with the predictability sentences built from the held-out scores."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from glassdyn.correlate import (CoarseGrainedCorrelation, CorrelationResults, DescriptorCorrelation,
                                LinearPredictability, comparison_sentences, correlation_report,
                                predictability_sentences)
from glassdyn.io import Box

pytest.importorskip("sklearn")


def campaign(seed: int, slope: float) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray, dict]:
    """3 windows of 300 atoms in a 10-box: descriptors volume, coordination and a Voronoi class;
    cage_broken planted as slope * volume + noise (R^2 = slope^2/(slope^2 + 1))."""
    rng = np.random.default_rng(seed)
    n, windows = 300, 3
    labels = np.repeat(np.arange(windows), n)
    descriptors = pd.DataFrame({"volume": rng.standard_normal(n * windows),
                                "coordination": rng.integers(10, 15, n * windows),
                                "voronoi": rng.choice(["<0,0,12,0>", "<0,2,8,2>"], n * windows)})
    dynamics = pd.DataFrame({"cage_broken": slope * descriptors["volume"] + rng.standard_normal(n * windows),
                             "u": rng.random(n * windows)})
    positions = rng.random((n * windows, 3)) * 10.0
    boxes = {w: Box((0, 0, 0), (10.0, 10.0, 10.0)) for w in range(windows)}
    return descriptors, dynamics, labels, positions, boxes


def analyse(name: str, seed: int, slope: float) -> CorrelationResults:
    descriptors, dynamics, labels, positions, boxes = campaign(seed, slope)
    return CorrelationResults(
        name=name,
        coefficients=DescriptorCorrelation().compute(descriptors, dynamics, labels),
        coarse=CoarseGrainedCorrelation(radii=[1.0, 2.0, 3.0]).compute(descriptors, dynamics, positions, boxes,
                                                                       labels),
        linear=LinearPredictability(alphas=[1e-3, 1.0, 1e3]).compute(descriptors, dynamics, labels))


def test_one_campaign_page_has_every_figure_and_the_sentence(tmp_path):
    """Every figure in each format and the tables; the sentence quotes the held-out R^2 of the summary
    as a percentage (planted cage_broken with R^2 = 1/(1 + 1) = 0.5: 'geometry predicts 4x-5x %')."""
    result = analyse("glass A", 31, 1.0)
    written = correlation_report(result, tmp_path, formats=("png", "pdf"))
    names = sorted(p.name for p in written)
    for stem in ("coefficients", "coarse_graining", "learning_curves", "regularisation_path"):
        assert f"{stem}.png" in names and f"{stem}.pdf" in names
    assert all(p.exists() and p.stat().st_size > 0 for p in written)
    summary = result.linear.summary.set_index("quantity")
    text = (tmp_path / "predictability.txt").read_text()
    percent = f"{100 * summary.loc['cage_broken', 'r2_mean']:.0f} %"
    assert f"glass A: geometry predicts {percent} of the variance of cage_broken (held-out R² " in text
    assert 40 <= 100 * summary.loc["cage_broken", "r2_mean"] <= 60
    assert re.search(r"predicts none of the variance of u \(held-out R² -?0\.0\d ± ", text), text


@pytest.mark.slow
def test_two_campaigns_side_by_side(tmp_path):
    """Glass A (R^2 = 0.5 planted) and glass B (R^2 = 0.2: slope 0.5): each page in its own folder,
    the comparison figure, and 'geometry predicts X % in glass A (...) and Y % in glass B (...)' with
    X and Y the two summaries' held-out R^2."""
    a, b = analyse("glass A", 41, 1.0), analyse("glass B", 42, 0.5)
    written = correlation_report([a, b], tmp_path, formats=("png",))
    assert (tmp_path / "glass_A" / "coefficients.png") in written and (tmp_path / "comparison.png") in written
    sentences = comparison_sentences([a, b])
    x = 100 * a.linear.summary.set_index("quantity").loc["cage_broken", "r2_mean"]
    y = 100 * b.linear.summary.set_index("quantity").loc["cage_broken", "r2_mean"]
    assert x > y
    sentence = [s for s in sentences if s.endswith("cage_broken")][0]
    assert sentence.startswith(f"geometry predicts {x:.0f} % in glass A (held-out R² ")
    assert f" and {y:.0f} % in glass B (held-out R² " in sentence
    assert sentence + "." in (tmp_path / "comparison.txt").read_text()
    assert len(predictability_sentences(a.linear)) == 2


def test_partial_results_and_bad_arguments(tmp_path):
    """A campaign with only coefficients draws only the heat map; names must be distinct; the
    analyses must be computed."""
    descriptors, dynamics, labels, _, _ = campaign(5, 1.0)
    only = CorrelationResults("c", coefficients=DescriptorCorrelation().compute(descriptors, dynamics))
    assert [p.name for p in correlation_report(only, tmp_path, formats=("png",))] == ["coefficients.png",
                                                                                     "coefficients.csv"]
    with pytest.raises(ValueError, match="distinct names"):
        correlation_report([only, only], tmp_path)
    with pytest.raises(TypeError, match="computed DescriptorCorrelation"):
        CorrelationResults("x", coefficients=DescriptorCorrelation())
