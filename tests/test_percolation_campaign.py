"""Percolation in campaigns: the [analysis] options (checked by the core's option struct), the
compute in the generated LAMMPS input with columns from the schema, T_perc from a percolation
probability scan, and the report's double-percolation figure on a synthetic campaign."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from glassdyn.results.percolation_threshold import percolation_threshold
from glassdyn.results.report import ReportWarning, make_report
from test_results_report import T_ALPHA, TEMPERATURES, synthetic_results


def test_threshold_interpolates_the_half_crossing_with_propagated_error():
    """P = 1, 1, 0.8, 0.2, 0 at T = 400..480: P crosses 1/2 halfway between 440 and 460 (T = 450),
    rising on cooling. With std 0.4 over 10 cycles at both ends the standard errors are 0.4/sqrt(10),
    propagated: sqrt(0.5^2 + 0.5^2) * 0.1265 / |slope 0.03/K| = 2.98 K."""
    t = [480, 400, 420, 440, 460]
    p = [0.0, 1.0, 1.0, 0.8, 0.2]
    found = percolation_threshold(t, p, [0, 0, 0, 0.4, 0.4], [10] * 5)
    assert found.temperature == pytest.approx(450.0) and found.rising_on_cooling
    assert found.error == pytest.approx(np.hypot(0.5, 0.5) * 0.4 / np.sqrt(10) / 0.03)
    # Every cycle agreed (std 0): the error is the resolution of the scan, half the bracket.
    assert percolation_threshold(t, p).error == pytest.approx(10.0)
    assert percolation_threshold(t, [0.1] * 5) is None
    assert not percolation_threshold([1, 2, 3], [0.0, 0.4, 0.9]).rising_on_cooling


def with_percolation(results, t_immobile=480.0, t_mobile=560.0):
    """Adds per-cycle percolation flags to the synthetic campaign: the immobile class percolates
    below t_immobile, the mobile class below t_mobile (deterministic, so T_perc is the midpoint of
    the bracketing scan temperatures), and d_f rising slowly with T."""
    cycles = results.cycles.copy()
    cycles["immobile_wraps_any"] = (cycles["temperature"] < t_immobile).astype(float)
    cycles["mobile_wraps_any"] = (cycles["temperature"] < t_mobile).astype(float)
    for cls in ("immobile", "mobile"):
        cycles[f"{cls}_fractal_dimension"] = 2.3 + 0.001 * (cycles["temperature"] - 440.0)
        cycles[f"{cls}_largest_fraction"] = 0.5
    results.cycles = cycles
    grouped = cycles.groupby(["temperature", "period"])
    extra = [c for c in cycles.columns if c.endswith(("wraps_any", "fractal_dimension", "largest_fraction"))]
    summary = results.summary.merge(grouped[extra].mean().reset_index(), on=["temperature", "period"])
    summary = summary.merge(grouped[extra].std(ddof=1).add_suffix("_std").reset_index(), on=["temperature", "period"])
    results.summary = summary
    return results


def test_report_draws_double_percolation_and_writes_t_perc(tmp_path):
    """On the synthetic campaign (T_alpha = 512 K, scan 440..580 K every 20 K) with the immobile
    class percolating below 480 K and the mobile class below 560 K, the report writes the
    percolation figure and fits.json gives T_perc = 470 K and 550 K (crossings between scan points,
    half-bracket errors 10 K)."""
    results = with_percolation(synthetic_results())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReportWarning)
        written = make_report(results, tmp_path, formats=("png",))
    assert tmp_path / "percolation.png" in written
    fits = json.loads((tmp_path / "fits.json").read_text())["percolation_temperatures"]
    assert fits["immobile"]["temperature"] == pytest.approx(470.0) and fits["immobile"]["error"] == 10.0
    assert fits["mobile"]["temperature"] == pytest.approx(550.0) and fits["mobile"]["rising_on_cooling"]
    assert TEMPERATURES[0] < T_ALPHA


def test_report_without_percolation_columns_has_no_percolation_figure(tmp_path):
    """A campaign harvested before percolation/atom existed: no figure, no key, no error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReportWarning)
        written = make_report(synthetic_results(), tmp_path, formats=("png",))
    assert not any(path.name.startswith("percolation") for path in written)
    assert "percolation_temperatures" not in json.loads((tmp_path / "fits.json").read_text())


def test_summary_gives_the_percolation_probability_and_skips_unfitted_d_f():
    """Three used cycles at one (T, period): the mobile class wrapped in 2 of them (probability 2/3,
    sample std sqrt(1/3)); d_f = 2.4, 0 (no fit: 0 clusters), 2.6 averages to 2.5 over the two fits."""
    from glassdyn.results.campaign_data import CYCLE_QUANTITIES
    from glassdyn.results.harvest import summarise_cycles

    cycles = pd.DataFrame({name: [0.0, 0.0, 0.0] for name in CYCLE_QUANTITIES})
    cycles["temperature"], cycles["period"], cycles["cycle"], cycles["used"] = 1.0, 5.0, [1, 2, 3], True
    cycles["mobile_wraps_any"] = [1.0, 0.0, 1.0]
    cycles["mobile_fractal_dimension"] = [2.4, 0.0, 2.6]
    cycles["mobile_fractal_clusters"] = [5, 0, 4]
    cycles["immobile_fractal_clusters"] = [0, 0, 0]
    row = summarise_cycles(cycles).iloc[0]
    assert row["mobile_wraps_any"] == pytest.approx(2 / 3) and row["mobile_wraps_any_std"] == pytest.approx(3 ** -0.5)
    assert row["mobile_fractal_dimension"] == pytest.approx(2.5) and np.isnan(row["immobile_fractal_dimension"])
