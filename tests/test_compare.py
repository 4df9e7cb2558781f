"""glassdyn.compare and `glassdyn compare` on synthetic campaigns (no MD) whose loss peaks, string and
cage fractions, percolation, tau_alpha(T), D(T) and quench are planted: every figure is written, the
table's numbers are the fits of glassdyn.results.fits on the same inputs, and campaigns that cannot
be compared are refused with one line that names the difference."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from glassdyn.cli import main
from glassdyn.comparison import CompareWarning, NotComparable, compare
from glassdyn.results.fits import activation_energy, decoupling_exponent, fit_alpha_peak, fragility
from glassdyn.results.panels import error_of_mean
from glassdyn.results.store import ResultsMissing, write_results
from test_results_report import PERIOD, assert_valid_png, synthetic_results

PERIODS = (10.0, PERIOD)
FIGURES = ("loss_strings", "long_strings", "cages", "displacement", "percolation", "relaxation", "quench")
TAU0, B, T0, D0, XI = 0.01, 2000.0, 300.0, 0.5, 0.8     # planted VFT tau_alpha (ps, K, K), D = D0 tau^-XI


def campaign(name: str, *, t_alpha: float = 512.0, shift: float = 0.0, seed: int = 1, metadata=None):
    """A synthetic Cu-Zr campaign (test_results_report) with two periods, percolation probabilities
    that cross 1/2 (immobile at T_alpha - 40 K, mobile at T_alpha + 20 K), a relaxation stage with a
    planted VFT tau_alpha and D = D0 tau^-XI, every temperature shifted by ``shift``."""
    results = synthetic_results(periods=PERIODS, t_alpha=t_alpha, seed=seed)
    for table in (results.summary, results.cycles, results.cage_types, results.displacement):
        table["temperature"] += shift
    results.quench["target"] += shift
    summary = results.summary
    t = summary["temperature"].to_numpy()
    centre = t_alpha + shift
    summary["immobile_wraps_any"] = 1.0 / (1.0 + np.exp((t - (centre - 40.0)) / 15.0))
    summary["mobile_wraps_any"] = 1.0 / (1.0 + np.exp(-(t - (centre + 20.0)) / 15.0))
    for cls in ("immobile", "mobile"):
        summary[f"{cls}_wraps_any_std"] = 0.2
    temperatures = np.arange(centre + 40.0, centre + 300.0, 40.0)
    tau = TAU0 * np.exp(B / (temperatures - T0 - shift))
    times = pd.DataFrame([{"temperature": temp, "species": species, "tau_alpha": ta, "diffusion": D0 * ta ** -XI}
                          for temp, ta in zip(temperatures, tau) for species in ("all", "Cu", "Zr")])
    results.relaxation_times = times
    results.metadata.update({"name": name, "axis": "x", "mobile": "fraction", "jump_range_unit": "distance"})
    results.metadata.update(metadata or {})
    return results


def results_file(folder, name: str, shift: float) -> None:
    """Write a synthetic campaign as results.h5 (glassdyn.results.store.write_results): the per-cycle
    columns the synthetic tables lack are zeros (the comparison reads loss, strings and cages), the
    string-size table is one bin, and there is no relaxation stage."""
    from glassdyn.results.harvest import (CAGE_COLUMNS, CAGE_TYPE_COLUMNS, CYCLE_COLUMNS, PERCOLATION_COLUMNS,
                                          PU_SUMMARY, STRING_COLUMNS)

    results = campaign(name, shift=shift)
    results.relaxation_times = pd.DataFrame(columns=["temperature", "species", "tau_alpha", "diffusion"])
    for column in CYCLE_COLUMNS + STRING_COLUMNS + CAGE_COLUMNS + PU_SUMMARY + PERCOLATION_COLUMNS:
        if column not in results.cycles:
            results.cycles[column] = 0.0
    for column in CAGE_TYPE_COLUMNS:
        if column not in results.cage_types:
            results.cage_types[column] = 0.0
    results.string_sizes = results.cycles[["temperature", "period", "cycle", "used"]].assign(xi=1, n_xi=0.0)
    results.metadata.update({"pressure_unit": "GPa", "distance_unit": "Angstrom"})
    folder.mkdir()
    write_results(results, folder)


def _table(paths):
    [csv] = [p for p in paths if p.name == "comparison.csv"]
    return pd.read_csv(csv, keep_default_na=False).set_index("quantity")


def _value(table, quantity, label):
    text = table.loc[quantity, label]
    return float(text) if text != "" else math.nan


@pytest.mark.slow
def test_compare_writes_every_figure_and_the_fits(tmp_path):
    """Two campaigns 60 K apart: 7 figures x 2 formats, the CSV and the Markdown table. T_alpha, E_alpha,
    N_str/N_fast, C, the fragility (at the common reference time) and xi in the CSV equal the fits of
    glassdyn.results.fits on the same summary rows; xi recovers the planted 0.8."""
    a, b = campaign("cu", seed=1), campaign("ni", shift=60.0, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = compare([a, b], tmp_path, labels=["Cu glass", "Ni glass"], formats=("png", "pdf"))
    names = {p.name for p in written}
    assert names == {f"{f}.{ext}" for f in FIGURES for ext in ("png", "pdf")} | {"comparison.csv", "comparison.md"}
    for path in tmp_path.glob("*.png"):
        assert_valid_png(path)
    table = _table(written)

    for label, results in (("Cu glass", a), ("Ni glass", b)):
        summary = results.summary
        peaks = {}
        for period in PERIODS:
            rows = summary[summary.period == period].sort_values("temperature")
            peaks[period] = fit_alpha_peak(rows.temperature, rows.loss, error_of_mean(rows, "loss"))
            assert _value(table, f"T_alpha (t_omega = {period:g} ps)", label) == pytest.approx(peaks[period].t_alpha)
        energy = activation_energy(list(peaks), [p.t_alpha for p in peaks.values()],
                                   [p.t_alpha_err for p in peaks.values()])
        assert _value(table, "E_alpha (periods)", label) == pytest.approx(energy.energy)
        assert float(table.loc["E_alpha (periods)", f"{label}_err"]) == pytest.approx(energy.energy_err)

        rows = summary[summary.period == PERIOD].sort_values("temperature")
        t_at = rows.temperature.to_numpy()[np.argmin(np.abs(rows.temperature.to_numpy() - 0.85 * peaks[PERIOD].t_alpha))]
        row = rows[rows.temperature == t_at]
        assert _value(table, "N_str/N_fast at T/T_alpha ~ 0.85", label) == pytest.approx(row.str_fraction.iloc[0])
        assert _value(table, "C (Cu) at T/T_alpha ~ 0.85", label) == pytest.approx(row.fraction_broken_Cu.iloc[0])
        assert _value(table, "T/T_alpha used for 'T/T_alpha ~ 0.85'", label) == pytest.approx(t_at / peaks[PERIOD].t_alpha)

        times = results.relaxation_times[results.relaxation_times.species == "all"]
        xi = decoupling_exponent(times.tau_alpha, times.diffusion)
        assert _value(table, "decoupling xi (D ~ tau_alpha^-xi)", label) == pytest.approx(xi.xi)
        assert xi.xi == pytest.approx(XI)
    # The common reference time is the shorter of the two longest tau_alpha (the hotter Ni glass's).
    reference = min(r.relaxation_times.tau_alpha.max() for r in (a, b))
    [m_row] = [q for q in table.index if q.startswith("fragility m")]
    for label, results in (("Cu glass", a), ("Ni glass", b)):
        times = results.relaxation_times[results.relaxation_times.species == "all"]
        expected = fragility(times.temperature, times.tau_alpha, reference_time=reference)
        assert _value(table, m_row, label) == pytest.approx(expected.m, rel=1e-6)
        assert _value(table, "apparent E of tau_alpha at T_ref", label) == pytest.approx(expected.energy_at_ref,
                                                                                        rel=1e-6)

    markdown = (tmp_path / "comparison.md").read_text()
    assert "| quantity | unit | Cu glass | Ni glass |" in markdown
    assert "not resolved" in markdown                       # single Gaussians: no beta


@pytest.mark.slow
def test_missing_quantities_are_dashes_with_a_reason(tmp_path):
    """One common period: E_alpha is '—' with the footnote 'one common period only'; without a
    relaxation stage tau_alpha, D and xi are '—' and no relaxation figure is drawn."""
    a, b = campaign("a"), campaign("b", shift=30.0)
    for results in (a, b):
        for name in ("summary", "cycles", "cage_types", "displacement"):
            table = getattr(results, name)
            setattr(results, name, table[table.period == PERIOD].reset_index(drop=True))
        results.relaxation_times = pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = compare([a, b], tmp_path, formats=("png",))
    assert not (tmp_path / "relaxation.png").exists()
    table = _table(written)
    assert table.loc["E_alpha (periods)", "a"] == ""
    assert "one common period only" in table.loc["E_alpha (periods)", "a_note"]
    markdown = (tmp_path / "comparison.md").read_text()
    assert "one common period only: no E from T_alpha" in markdown
    assert "no [relaxation] stage" in markdown


@pytest.mark.parametrize("key, value, words", [
    ("units", "lj", "different unit style"),
    ("axis", "xy", "different DMS axis"),
    ("mobile", "jump", "different mobile-atom definition"),
    ("jump_range_unit", "r1", "different jump-range kind"),
])
def test_refuses_incomparable_metadata(tmp_path, key, value, words):
    """Each incomparable difference is refused with one line naming it and both values (the jump
    range's kind matters once mobility is defined by jumps: both campaigns use mobile = "both")."""
    both = {"mobile": "both"} if key == "jump_range_unit" else {}
    with pytest.raises(NotComparable, match=words) as caught:
        compare([campaign("a", metadata=both), campaign("b", metadata={**both, key: value})], tmp_path)
    assert "\n" not in str(caught.value) and str(value) in str(caught.value)


def test_jump_range_kind_ignored_for_fraction_mobility():
    """With mobile = "fraction" the jump range defines nothing, so its kind may differ; a campaign
    without the newer metadata keys counts as having their defaults (x axis, fraction, distance)."""
    from glassdyn.comparison.checks import Campaign, check_comparable

    old = campaign("old")
    for key in ("axis", "mobile", "jump_range_unit"):
        old.metadata.pop(key)
    new = campaign("new", metadata={"jump_range_unit": "r1"})
    assert check_comparable([Campaign("old", None, old), Campaign("new", None, new)]) == list(PERIODS)


def test_refuses_without_a_common_period(tmp_path):
    """Periods 30 and 300 ps against 10 and 100 ps share none; --period 7 is not a common one."""
    b = campaign("b")
    for name in ("summary", "cycles", "cage_types", "displacement"):
        getattr(b, name)["period"] *= 3.0
    with pytest.raises(NotComparable, match="no DMS period in common"):
        compare([campaign("a"), b], tmp_path)
    with pytest.raises(NotComparable, match="--period 7"):
        compare([campaign("a"), campaign("c")], tmp_path, period=7.0)


@pytest.mark.slow
def test_renamed_species_warn_but_compare(tmp_path):
    """Cu64Zr36 against Ni64Zr36: a CompareWarning, and the per-species rows pair Cu with Ni."""
    b = campaign("b", metadata={"species": ["Ni", "Zr"], "composition": {"Ni": 0.64, "Zr": 0.36}})
    b.summary = b.summary.rename(columns=lambda c: c.replace("_Cu", "_Ni"))
    b.displacement["species"] = b.displacement["species"].replace({"Cu": "Ni"})
    with pytest.warns(CompareWarning, match="differ only in species names"):
        written = compare([campaign("a"), b], tmp_path, formats=("png",))
    assert "C (Cu/Ni) at T/T_alpha ~ 0.85" in _table(written).index


def test_same_elements_in_another_type_order_pair_by_element(tmp_path):
    """A model's type map may list Zr first: campaign b holds the same Cu and Zr as a with its types
    in the other order, so each per-species row must hold one element (C (Cu), C (Zr)), with each
    campaign's own value for that element -- not Cu of one beside Zr of the other."""
    a = campaign("a")
    b = campaign("b", seed=2, metadata={"species": ["Zr", "Cu"], "composition": {"Zr": 0.36, "Cu": 0.64}})
    b.summary["fraction_broken_Zr"] = b.summary["fraction_broken_Cu"] * 0.5
    written = compare([a, b], tmp_path, formats=("png",))
    table = _table(written)
    quantity = "C ({}) at T/T_alpha ~ 0.85"
    assert {q for q in table.index if q.startswith("C (")} == {quantity.format(s) for s in ("all", "Cu", "Zr")}
    for label, results in (("a", a), ("b", b)):
        columns = {element: results.summary[f"fraction_broken_{element}"].tolist() for element in ("Cu", "Zr")}
        for element, other in (("Cu", "Zr"), ("Zr", "Cu")):
            value = _value(table, quantity.format(element), label)
            assert any(math.isclose(value, v, rel_tol=1e-8) for v in columns[element]), (label, element)
            assert not any(math.isclose(value, v, rel_tol=1e-8) for v in columns[other]), (label, element)


def test_missing_results_name_the_folder(tmp_path):
    """A folder without results.h5 is ResultsMissing naming it; one campaign is not a comparison; the
    package facade glassdyn.compare is this function."""
    import glassdyn

    assert glassdyn.compare is compare
    with pytest.raises(ResultsMissing, match="nothing-here"):
        compare([tmp_path / "nothing-here", tmp_path], tmp_path / "out")
    with pytest.raises(ValueError, match="at least two"):
        compare([campaign("a")], tmp_path)


@pytest.mark.slow
def test_cli_compare_and_one_line_errors(tmp_path, capsys):
    """`glassdyn compare A B` on two results folders writes the table; a missing folder, a wrong
    label count and incomparable campaigns each give one 'glassdyn: error:' line and status 2."""
    for name, shift in (("a", 0.0), ("b", 60.0)):
        results_file(tmp_path / name, name, shift)
    out = tmp_path / "cmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out), "--labels", "A,B"]) == 0
    assert (out / "comparison.md").is_file() and (out / "loss_strings.png").is_file()
    capsys.readouterr()
    for argv, words in (([str(tmp_path / "a"), str(tmp_path / "missing")], "missing"),
                        ([str(tmp_path / "a"), str(tmp_path / "b"), "--labels", "A"], "labels"),
                        ([str(tmp_path / "a"), str(tmp_path / "b"), "--period", "3"], "--period 3")):
        assert main(["compare", *argv, "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("glassdyn: error:") and words in err and "\n" not in err, err


K_B = 8.617333262e-5   # eV/K


def _peak_temperature(period: float, energy: float, t_at_100: float) -> float:
    """T(omega) of the Arrhenius law ln omega = ln omega0 - E/(k_B T) through T(100 ps) = t_at_100."""
    log_omega0 = energy / (K_B * t_at_100) + math.log(2 * math.pi / PERIOD)
    return energy / (K_B * (log_omega0 - math.log(2 * math.pi / period)))


@pytest.mark.slow
def test_planted_beta_peaks_give_t_beta_and_e_beta(tmp_path):
    """Loss scans planted as alpha (E_alpha = 1.5 eV) plus a beta peak 40 % as high (E_beta = 0.5 eV)
    at both periods, errors of the means 0.005: the table's T_beta rows and E_beta hold the planted
    values within 3 errors. At 10 ps the beta peak sits 83 K below alpha and its tail pulls the
    parabola's T_alpha down by a few K, which the T_alpha cell's footnote says, with the
    two-component alpha centre (within 3 K of the planted one)."""
    rng = np.random.default_rng(23)
    scans = []
    for seed in (1, 2):
        results = synthetic_results(periods=PERIODS, temperatures=np.arange(300.0, 661.0, 20.0), seed=seed)
        results.metadata.update({"name": f"beta{seed}", "axis": "x", "mobile": "fraction",
                                 "jump_range_unit": "distance"})
        summary = results.summary
        for period in PERIODS:
            rows = summary.period == period
            t = summary.loc[rows, "temperature"].to_numpy()
            t_alpha, t_beta = _peak_temperature(period, 1.5, 520.0), _peak_temperature(period, 0.5, 400.0)
            loss = np.exp(-0.5 * ((t - t_alpha) / 40.0) ** 2) + 0.4 * np.exp(-0.5 * ((t - t_beta) / 30.0) ** 2)
            summary.loc[rows, "loss"] = loss + rng.normal(0.0, 0.005, t.size)
            summary.loc[rows, "loss_std"] = 0.005 * np.sqrt(summary.loc[rows, "n_cycles"])
        scans.append(results)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = _table(compare(scans, tmp_path, formats=("png",)))
    for label in ("beta1", "beta2"):
        for period in PERIODS:
            quantity = f"T_beta (t_omega = {period:g} ps)"
            error = float(table.loc[quantity, f"{label}_err"])
            assert abs(_value(table, quantity, label) - _peak_temperature(period, 0.5, 400.0)) < 3 * error
        row = "E_beta (periods)"
        assert abs(_value(table, row, label) - 0.5) < 3 * float(table.loc[row, f"{label}_err"])
        note = table.loc["T_alpha (t_omega = 10 ps)", f"{label}_note"]
        assert "beta resolved" in note
        alpha_two = float(note.split("puts alpha at ")[1].split()[0])
        assert abs(alpha_two - _peak_temperature(10.0, 1.5, 520.0)) < 3.0
