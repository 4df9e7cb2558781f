"""Arrhenius and VFT fits of tau_alpha(T) and D(T) (glassdyn.results.fits, science.md §9) on
synthetic data generated from known parameters: the fits must give those parameters back (exactly
without noise, within a few standard errors with 2 % log-normal noise), and the temperature where
omega tau_alpha = 1 must solve tau(T) = P / 2 pi."""
from __future__ import annotations

import math

import numpy as np
import pytest

from glassdyn.results.fits import fit_arrhenius, fit_vft, temperature_of_unit_product

T = np.linspace(0.45, 1.2, 9)
TAU0, B, T0 = 0.3, 1.8, 0.32      # KA-like VFT: tau grows by ~10^3 between 1.2 and 0.45


def vft(t):
    return TAU0 * np.exp(B / (t - T0))


def test_arrhenius_exact_on_arrhenius_data():
    """tau = 0.1 exp(3/T): ln tau is linear in 1/T, so least squares returns the parameters exactly."""
    fit = fit_arrhenius(T, 0.1 * np.exp(3.0 / T))
    assert fit.law == "arrhenius" and fit.t0 == 0.0
    assert fit.b == pytest.approx(3.0, rel=1e-9) and fit.prefactor == pytest.approx(0.1, rel=1e-9)
    assert fit(0.7) == pytest.approx(0.1 * math.exp(3.0 / 0.7), rel=1e-9)


def test_diffusion_uses_the_falling_law():
    """D = 2 exp(-1.5/T) with sign -1: B = +1.5, the activation temperature of D."""
    fit = fit_arrhenius(T, 2.0 * np.exp(-1.5 / T), sign=-1)
    assert fit.b == pytest.approx(1.5, rel=1e-9) and fit.prefactor == pytest.approx(2.0, rel=1e-9)


def test_vft_recovers_its_parameters():
    """Exact VFT data: T0, B and tau0 come back to 1e-4 (curve_fit's tolerance on a 3-parameter fit)."""
    fit = fit_vft(T, vft(T))
    assert fit.law == "vft"
    assert fit.t0 == pytest.approx(T0, rel=1e-4) and fit.b == pytest.approx(B, rel=1e-4)
    assert fit.prefactor == pytest.approx(TAU0, rel=1e-3)


def test_vft_with_noise_within_its_errors():
    """2 % log-normal noise (seeded): each parameter within 4 of its reported standard errors."""
    rng = np.random.default_rng(12)
    noisy = vft(T) * np.exp(rng.normal(0.0, 0.02, T.size))
    fit = fit_vft(T, noisy)
    assert abs(fit.t0 - T0) < 4 * fit.t0_err and abs(fit.b - B) < 4 * fit.b_err
    assert 0 < fit.t0_err < 0.05


def test_too_few_points_and_bad_values():
    """Two points fit an Arrhenius law (no error estimate), not a VFT; zeros and nan are left out."""
    fit = fit_arrhenius([0.5, 1.0], [math.exp(2.0), math.exp(1.0)])
    assert fit.b == pytest.approx(1.0) and math.isnan(fit.b_err)
    assert fit_vft([0.5, 1.0, 0.8], [1.0, 2.0, 3.0]) is None
    assert fit_arrhenius([0.5, 1.0, 0.7], [0.0, np.nan, 1.0]) is None


def test_temperature_where_omega_tau_is_one():
    """tau(T) = P/2 pi solved from the fit: plugging the temperature back in gives P/2 pi."""
    fit = fit_vft(T, vft(T))
    period = 50.0
    temperature = temperature_of_unit_product(fit, period)
    assert vft(temperature) == pytest.approx(period / (2 * math.pi), rel=1e-3)
    arrhenius = fit_arrhenius(T, 0.1 * np.exp(3.0 / T))
    assert temperature_of_unit_product(arrhenius, 2 * math.pi * 0.1 * math.exp(5.0)) == pytest.approx(0.6)
    assert math.isnan(temperature_of_unit_product(arrhenius, 1e-3))   # faster than tau0: never reached


def test_relaxation_fits_and_figure_on_synthetic_times():
    """Five temperatures of VFT tau_alpha and Arrhenius D per species (no LAMMPS): the report's fits
    give the planted parameters back, omega tau_alpha = 1 for a period P lies where the planted VFT
    law has tau = P / 2 pi, T_alpha of the loss peak is carried beside it, and the figure (with its
    VFT lines, the omega tau = 1 markers and the window scan) is drawn and not blank."""
    import io

    import matplotlib.image
    import pandas as pd

    from glassdyn.results.fits import AlphaPeak
    from glassdyn.results.relaxation_report import relaxation_figure, relaxation_fits

    temperatures = np.linspace(0.45, 1.0, 5)
    rows = [{"temperature": t, "species": s, "tau_alpha": vft(t) * scale, "diffusion": 0.5 * scale * np.exp(-1.2 / t),
             "t_star": 0.3 * vft(t)} for t in temperatures for s, scale in (("all", 1.0), ("A", 1.1), ("B", 0.8))]
    times = pd.DataFrame(rows)
    windows = pd.DataFrame([{"temperature": t, "window": w, "xi_number": 1.5 + np.exp(-np.log(w / vft(t)) ** 2)}
                            for t in temperatures for w in (0.5, 1.0, 2.0, 5.0, 10.0)])
    peaks = {50.0: AlphaPeak(t_alpha=0.6, t_alpha_err=0.01, loss_max=1.0, loss_max_err=0.1, at_edge=False,
                             points_used=5), 500.0: None}
    record = relaxation_fits(times, peaks)
    tau = record["fits"]["tau_alpha"]["all"]["vft"]
    assert tau["t0"] == pytest.approx(T0, rel=1e-3) and tau["b"] == pytest.approx(B, rel=1e-3)
    assert record["fits"]["diffusion"]["B"]["arrhenius"]["b"] == pytest.approx(1.2, rel=1e-6)
    first, second = record["omega_tau_alpha_1"]
    assert first["law"] == "vft" and first["t_alpha_loss_peak"] == 0.6 and second["t_alpha_loss_peak"] is None
    assert vft(first["omega_tau_alpha_1_temperature"]) == pytest.approx(50.0 / (2 * math.pi), rel=1e-3)
    figure = relaxation_figure(times, windows, record, peaks, "T", "tau")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    image = matplotlib.image.imread(buffer, format="png")
    assert image.std() > 0.05 and len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 50
