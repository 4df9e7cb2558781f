"""The report figures and fits.json (glassdyn.results.report) from a synthetic campaign whose alpha
peak and glass transition are known, including the degraded cases (peak at the scan edge, no quench,
a single temperature)."""
from __future__ import annotations

import json
import warnings

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from glassdyn.results.campaign_data import CampaignResults
from glassdyn.results.report import ReportWarning, make_report

SPECIES = ("Cu", "Zr")
TEMPERATURES = np.arange(440.0, 600.0, 20.0)                  # 8 scan temperatures (K)
PERIOD = 100.0                                                # ps
CYCLES = 3
T_ALPHA, PEAK_WIDTH, PEAK_HEIGHT, LOSS_NOISE = 512.0, 60.0, 2.0, 0.05   # K, K, GPa, GPa
T_G, SLOPE_GLASS, SLOPE_LIQUID = 650.0, 2.5e-4, 4.0e-4       # K, eV/K per atom
QUENCH_COLUMNS = ["stage", "step", "time", "temperature", "target", "pe", "enthalpy", "volume"]
FIGURES = ("loss_modulus", "strings", "cages", "displacement", "quench")


def synthetic_results(*, temperatures=TEMPERATURES, periods=(PERIOD,), t_alpha=T_ALPHA, with_quench=True,
                      seed=1) -> CampaignResults:
    """A Cu-Zr campaign: a Gaussian loss peak centred at ``t_alpha`` for the longest period and 20 K
    hotter per decade of shorter period (faster driving needs faster relaxation), string and cage
    fractions rising with T, a p(u) with a hopping shoulder, and a hinge-shaped quench trace."""
    rng = np.random.default_rng(seed)
    cycles, cage_types, displacement = [], [], []
    for period in periods:
        centre = t_alpha + 20.0 * np.log10(max(periods) / period)
        for temperature in temperatures:
            rise = (temperature - temperatures[0]) / max(np.ptp(temperatures), 1.0)   # 0 .. 1 over the scan
            for cycle in range(1, CYCLES + 1):
                noise = rng.normal(0.0, 1.0, 6)
                cycles.append({
                    "temperature": temperature, "period": period, "cycle": cycle, "used": True,
                    "loss": PEAK_HEIGHT * np.exp(-0.5 * ((temperature - centre) / PEAK_WIDTH) ** 2)
                            + LOSS_NOISE * noise[0],
                    "storage": 90.0 - 0.1 * (temperature - 440.0) + 0.5 * noise[1],
                    "str_fraction": 0.3 + 0.4 * rise + 0.02 * noise[2],
                    "long_fraction": 0.05 + 0.3 * rise + 0.02 * noise[3],
                    "fraction_broken": 0.05 + 0.3 * rise + 0.01 * noise[4],
                })
                for k, name in enumerate(SPECIES):
                    cage_types.append({"temperature": temperature, "period": period, "cycle": cycle,
                                       "species": name, "used": True,
                                       "fraction_broken": (0.07 - 0.04 * k) + (0.35 - 0.1 * k) * rise + 0.01 * noise[5]})
            displacement.extend(_displacement_rows(temperature, period))

    cycles = pd.DataFrame(cycles)
    cage_types = pd.DataFrame(cage_types)
    metadata = {"name": "synthetic", "units": "metal", "species": list(SPECIES),
                "composition": {"Cu": 0.64, "Zr": 0.36}, "natoms": 1000, "modulus": "M",
                "pressure_unit": "GPa", "temperature_unit": "K", "time_unit": "ps", "distance_unit": "Å"}
    return CampaignResults(metadata=metadata, cycles=cycles, cage_types=cage_types,
                           string_sizes=pd.DataFrame(columns=["temperature", "period", "cycle", "xi", "n_xi", "used"]),
                           displacement=pd.DataFrame(displacement), summary=_summary(cycles, cage_types),
                           quench=_quench_trace(rng) if with_quench else pd.DataFrame(columns=QUENCH_COLUMNS))


def _summary(cycles: pd.DataFrame, cage_types: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample std over cycles, as the harvest does, plus the per-species cage columns."""
    keys = ["temperature", "period"]
    quantities = cycles.drop(columns=["cycle", "used"]).groupby(keys)
    summary = quantities.mean().join(quantities.std().add_suffix("_std"))
    summary["n_cycles"] = cycles.groupby(keys).size()
    broken = cage_types.groupby(keys + ["species"])["fraction_broken"]
    for stat, suffix in (("mean", ""), ("std", "_std")):
        table = broken.agg(stat).unstack("species")
        summary = summary.join(table.rename(columns=lambda name: f"fraction_broken_{name}{suffix}"))
    return summary.reset_index()


def _displacement_rows(temperature: float, period: float) -> list[dict]:
    """p(u): a vibrational peak at 0.3 Å and a hopping shoulder near r1 = 2.6 Å that grows with T."""
    u = (np.arange(200) + 0.5) * 0.02
    log10_u = np.linspace(-2.0, 0.6, 200)
    rows = []
    for k, name in enumerate(("all", *SPECIES)):
        hop = 0.02 * (1 + k) * np.exp((temperature - 600.0) / 50.0)
        p_u = u ** 2 * np.exp(-(u / 0.3) ** 2) + hop * np.exp(-((u - 2.6) / 0.3) ** 2)
        p_log = np.exp(-((log10_u + 0.5) / 0.3) ** 2) + hop * np.exp(-((log10_u - 0.41) / 0.1) ** 2)
        rows.extend({"temperature": temperature, "period": period, "species": name, "bin": b, "u": u[b],
                     "p_u": p_u[b] / p_u.sum() / 0.02, "log10_u": log10_u[b], "p_log10_u": p_log[b]}
                    for b in range(u.size))
    return rows


def _quench_trace(rng: np.random.Generator) -> pd.DataFrame:
    """Melt at 1200 K, then a linear quench 1000 K -> 300 K whose enthalpy is a hinge at T_G."""
    target = np.concatenate([np.full(50, 1200.0), np.linspace(1000.0, 300.0, 701)])
    temperature = target + rng.normal(0.0, 2.0, target.size)
    enthalpy = -4.0 + np.where(temperature > T_G, SLOPE_LIQUID, SLOPE_GLASS) * (temperature - T_G)
    enthalpy += rng.normal(0.0, 1e-3, target.size)
    step = np.arange(target.size) * 100
    return pd.DataFrame({"stage": ["melt"] * 50 + ["quench"] * 701, "step": step, "time": step * 0.002,
                         "temperature": temperature, "target": target, "pe": enthalpy - 0.05,
                         "enthalpy": enthalpy, "volume": np.full(target.size, 17.0)})


def assert_valid_png(path) -> None:
    """A real picture: at least 300 x 300 pixels and not a single colour."""
    image = matplotlib.image.imread(path)
    assert image.shape[0] >= 300 and image.shape[1] >= 300, image.shape
    assert image[..., :3].std() > 0


def expected_paths(outdir, names=FIGURES, formats=("png", "pdf")):
    return {outdir / f"{name}.{fmt}" for name in names for fmt in formats}


# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_full_report(tmp_path):
    """Every figure in both formats, without a warning; fits.json holds T_alpha and T_g within 3 errors
    of the synthetic truth (the Gaussian's centre, the hinge's kink)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportWarning)
        written = make_report(synthetic_results(), tmp_path)

    assert set(written) == expected_paths(tmp_path) | {tmp_path / "fits.json"}
    for path in written:
        assert path.is_file() and path.stat().st_size > 0
    for path in tmp_path.glob("*.png"):
        assert_valid_png(path)

    fits = json.loads((tmp_path / "fits.json").read_text())
    assert fits["report_period"] == PERIOD and fits["temperature_unit"] == "K"
    [peak] = fits["alpha_peaks"]
    assert peak["period"] == PERIOD and peak["at_edge"] is False
    assert abs(peak["t_alpha"] - T_ALPHA) < 3 * peak["t_alpha_err"]
    transition = fits["glass_transition"]
    assert abs(transition["t_g"] - T_G) < 3 * transition["t_g_err"]


@pytest.mark.slow
def test_every_period_in_fits_and_longest_by_default(tmp_path):
    """Two periods: both get a T_alpha (the 10 ps peak is 20 K hotter by construction), and the
    single-period figures use the longest period unless told otherwise."""
    results = synthetic_results(periods=(10.0, PERIOD))
    make_report(results, tmp_path, formats=("png",))
    fits = json.loads((tmp_path / "fits.json").read_text())
    assert fits["report_period"] == PERIOD
    by_period = {peak["period"]: peak for peak in fits["alpha_peaks"]}
    assert set(by_period) == {10.0, PERIOD}
    assert abs(by_period[10.0]["t_alpha"] - (T_ALPHA + 20.0)) < 3 * by_period[10.0]["t_alpha_err"]

    make_report(results, tmp_path / "short", period=10.0, formats=("png",))
    assert json.loads((tmp_path / "short" / "fits.json").read_text())["report_period"] == 10.0
    with pytest.raises(ValueError, match="period 5"):
        make_report(results, tmp_path / "bad", period=5.0)


@pytest.mark.slow
def test_peak_at_the_edge_warns_and_still_draws(tmp_path):
    """A peak centred at 620 K, above the 440-580 K scan, makes M''(T) rise up to the hottest
    temperature (by 0.4 GPa over its last step, ten times the noise of a mean): an edge maximum,
    reported without a position error."""
    with pytest.warns(ReportWarning, match="edge"):
        written = make_report(synthetic_results(t_alpha=620.0), tmp_path)
    assert expected_paths(tmp_path) <= set(written)
    assert_valid_png(tmp_path / "loss_modulus.png")
    [peak] = json.loads((tmp_path / "fits.json").read_text())["alpha_peaks"]
    assert peak["at_edge"] is True
    assert peak["t_alpha"] == TEMPERATURES[-1]
    assert peak["t_alpha_err"] is None                        # nan is written as null


def test_empty_quench_warns_and_skips_only_that_figure(tmp_path):
    with pytest.warns(ReportWarning, match="quench"):
        written = make_report(synthetic_results(with_quench=False), tmp_path, formats=("png",))
    assert set(written) == expected_paths(tmp_path, FIGURES[:-1], ("png",)) | {tmp_path / "fits.json"}
    assert not (tmp_path / "quench.png").exists()
    assert json.loads((tmp_path / "fits.json").read_text())["glass_transition"] is None


def test_single_temperature_plots_against_t(tmp_path):
    """One temperature cannot locate a maximum: warn, plot against T, and leave T_alpha null."""
    with pytest.warns(ReportWarning, match="no T_alpha"):
        written = make_report(synthetic_results(temperatures=np.array([500.0])), tmp_path, formats=("png",))
    assert expected_paths(tmp_path, formats=("png",)) <= set(written)
    for path in tmp_path.glob("*.png"):
        assert_valid_png(path)
    [peak] = json.loads((tmp_path / "fits.json").read_text())["alpha_peaks"]
    assert peak["t_alpha"] is None
