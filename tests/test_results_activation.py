"""Activation energies, the beta-peak test, fragility and D-tau decoupling (glassdyn.results.fits)
on synthetic data with known parameters: the fits recover the planted values, and their error bars
hold the truth about as often as one standard deviation should (68 %) over many noisy draws."""
from __future__ import annotations

import math

import numpy as np
import pytest

from glassdyn.results.fits import (BOLTZMANN, activation_energy, decoupling_exponent, fit_loss_peaks, fragility)

K_B = BOLTZMANN["metal"]


def _arrhenius_temperatures(periods, energy, omega0, k_b=K_B):
    """T(omega) of ln omega = ln omega0 - E/(k_B T), omega = 2 pi / period: the planted law."""
    return energy / (k_b * (math.log(omega0) - np.log(2 * np.pi / np.asarray(periods))))


def _coverage(pulls):
    return float(np.mean(np.abs(pulls) < 1.0))


def test_activation_energy_exact_and_units():
    """Noise-free T_alpha of three periods from E = 1.2 eV, omega0 = 1e13 /ps give E back to 1e-9;
    in lj units (k_B = 1) the same temperatures read as energies 1/k_B times larger."""
    periods = [10.0, 100.0, 1000.0]
    t = _arrhenius_temperatures(periods, 1.2, 1e13)
    fit = activation_energy(periods, t, np.full(3, 2.0))
    assert fit.energy == pytest.approx(1.2, rel=1e-9) and fit.energy_unit == "eV"
    assert math.exp(fit.log_omega0) == pytest.approx(1e13, rel=1e-6)
    assert fit.reduced_chi2 == pytest.approx(0.0, abs=1e-12)
    lj = activation_energy(periods, t, units="lj")
    assert lj.energy == pytest.approx(1.2 / K_B, rel=1e-9) and lj.energy_unit == "epsilon"
    assert activation_energy([10.0], [500.0]) is None                        # one period: no slope
    assert activation_energy([10.0, 10.0], [500.0, 510.0]) is None           # one distinct period


def test_activation_energy_errors_cover_the_truth():
    """400 draws of T_alpha at four periods with Gaussian errors of 5 K: |E - E_true| < sigma_E in
    about 68 % of them (binomial sd 2.3 %, so 0.60-0.76 is a > 3 sd band), and the chi^2 per degree
    of freedom averages 1."""
    rng = np.random.default_rng(7)
    periods = np.array([1.0, 10.0, 100.0, 1000.0])
    truth = _arrhenius_temperatures(periods, 1.5, 1e14)
    pulls, chi2 = [], []
    for _ in range(400):
        fit = activation_energy(periods, truth + rng.normal(0, 5.0, 4), np.full(4, 5.0))
        pulls.append((fit.energy - 1.5) / fit.energy_err)
        chi2.append(fit.reduced_chi2)
    assert 0.60 < _coverage(pulls) < 0.76
    assert 0.8 < np.mean(chi2) < 1.2


def _loss(t, alpha=(1.0, 520.0, 30.0), beta=None):
    y = alpha[0] * np.exp(-0.5 * ((t - alpha[1]) / alpha[2]) ** 2)
    if beta is not None:
        y = y + beta[0] * np.exp(-0.5 * ((t - beta[1]) / beta[2]) ** 2)
    return y


def test_beta_peak_resolved_when_planted():
    """A beta peak 40 % of the alpha peak (the Cu glass of the reference study, science.md §4) 100 K
    below it, errors 0.01: resolved, with its centre within 3 errors of the planted 420 K."""
    rng = np.random.default_rng(3)
    t = np.arange(340.0, 621.0, 20.0)
    y = _loss(t, beta=(0.4, 420.0, 35.0)) + rng.normal(0, 0.01, t.size)
    peaks = fit_loss_peaks(t, y, np.full(t.size, 0.01))
    assert peaks.resolved, peaks.reason
    assert abs(peaks.t_beta - 420.0) < 3 * peaks.t_beta_err
    assert abs(peaks.t_alpha_two - 520.0) < 10.0


def test_beta_shoulder_resolved():
    """A shoulder (beta 25 % high, 60 K below alpha, overlapping it) is still found by the two-peak fit."""
    rng = np.random.default_rng(5)
    t = np.arange(380.0, 621.0, 15.0)
    y = _loss(t, beta=(0.25, 460.0, 30.0)) + rng.normal(0, 0.005, t.size)
    peaks = fit_loss_peaks(t, y, np.full(t.size, 0.005))
    assert peaks.resolved, peaks.reason
    assert abs(peaks.t_beta - 460.0) < 3 * peaks.t_beta_err + 5.0


def test_single_peak_not_resolved():
    """A pure alpha Gaussian with noise: at most 2 of 20 draws resolve a beta (the F-test's level is
    1 %, 0.2 expected, P(>= 3) = 0.001, and the other tests only make 'resolved' rarer); too few points never resolve."""
    rng = np.random.default_rng(11)
    t = np.arange(400.0, 641.0, 20.0)
    resolved = sum(fit_loss_peaks(t, _loss(t) + rng.normal(0, 0.02, t.size), np.full(t.size, 0.02)).resolved
                   for _ in range(20))
    assert resolved <= 2
    few = fit_loss_peaks(t[:6], _loss(t[:6]))
    assert not few.resolved and "at least 7" in few.reason


def test_beta_activation_energy_from_resolved_peaks():
    """Two periods whose planted beta centres follow E_beta = 0.5 eV: the E from the fitted T_beta
    lies within 3 errors of 0.5 eV."""
    rng = np.random.default_rng(13)
    periods = np.array([10.0, 100.0])
    t_beta = _arrhenius_temperatures(periods, 0.5, 1e13)
    t_alpha = _arrhenius_temperatures(periods, 1.5, 1e14)
    t = np.arange(150.0, 700.0, 20.0)
    found = [fit_loss_peaks(t, _loss(t, (1.0, ta, 40.0), (0.4, tb, 30.0)) + rng.normal(0, 0.01, t.size),
                            np.full(t.size, 0.01)) for ta, tb in zip(t_alpha, t_beta)]
    assert all(p.resolved for p in found), [p.reason for p in found]
    fit = activation_energy(periods, [p.t_beta for p in found], [p.t_beta_err for p in found])
    assert abs(fit.energy - 0.5) < 3 * fit.energy_err


def _vft_m(b, t0, t_ref):
    """m = d log10 tau / d(T_ref/T) at T_ref for ln tau = a + B/(T - T0): B T_ref/(ln10 (T_ref - T0)^2)."""
    return b * t_ref / (math.log(10) * (t_ref - t0) ** 2)


def test_fragility_exact_vft_and_arrhenius():
    """Noise-free VFT (tau0 = 0.01 ps, B = 2000 K, T0 = 400 K): m at the longest tau is the analytic
    value, E(T) = k_B B T^2/(T - T0)^2; an Arrhenius law (3 points) gives m = B/(ln10 T_ref)."""
    t = np.linspace(700.0, 1100.0, 8)
    tau = 0.01 * np.exp(2000.0 / (t - 400.0))
    frag = fragility(t, tau)
    assert frag.law == "vft" and frag.t_ref == pytest.approx(700.0, rel=1e-6)
    assert frag.m == pytest.approx(_vft_m(2000.0, 400.0, 700.0), rel=1e-5)
    assert np.allclose(frag.activation_energy, K_B * 2000.0 * t ** 2 / (t - 400.0) ** 2, rtol=1e-5)
    assert frag.energy_at_ref == pytest.approx(K_B * 2000.0 * 700.0 ** 2 / 300.0 ** 2, rel=1e-5)
    assert frag.energy_at_ref == pytest.approx(math.log(10) * frag.m * K_B * frag.t_ref, rel=1e-9)
    t3 = np.array([1.0, 1.2, 1.5])
    arr = fragility(t3, 0.1 * np.exp(3.0 / t3), units="lj", reference_time=0.1 * math.exp(3.0 / 1.1))
    assert arr.law == "arrhenius" and arr.t_ref == pytest.approx(1.1)
    assert arr.m == pytest.approx(3.0 / (math.log(10) * 1.1), rel=1e-9)
    assert np.allclose(arr.activation_energy, 3.0)                           # E = k_B B with k_B = 1
    assert fragility([1.0], [2.0]) is None


def test_fragility_errors_cover_the_truth():
    """100 draws of 8 tau_alpha values with 10 % log-normal noise about a VFT law: the error of m
    holds the analytic m (at the fixed reference time of the planted longest tau) in 45-85 % of draws
    (nominal: Student's t with 5 degrees of freedom, 64 %, binomial sd 4.8 %; a nonlinear fit is
    only approximately so)."""
    rng = np.random.default_rng(17)
    t = np.linspace(700.0, 1100.0, 8)
    log_tau = math.log(0.01) + 2000.0 / (t - 400.0)
    reference = float(np.exp(log_tau.max()))
    truth = _vft_m(2000.0, 400.0, 700.0)
    pulls = []
    for _ in range(100):
        frag = fragility(t, np.exp(log_tau + rng.normal(0, 0.1, t.size)), reference_time=reference)
        pulls.append((frag.m - truth) / frag.m_err)
    assert 0.45 < _coverage(pulls) < 0.85


def test_decoupling_exponent():
    """D = 0.3 tau^-0.8 exactly gives xi = 0.8; with 5 % noise on ln D over 300 draws of 6 points the
    error covers 0.8 in 0.54-0.72 of them (the pull of an unweighted fit follows Student's t with 4
    degrees of freedom: P(|t| < 1) = 0.63; binomial sd 2.8 %)."""
    tau = np.geomspace(1.0, 1e3, 6)
    exact = decoupling_exponent(tau, 0.3 * tau ** -0.8)
    assert exact.xi == pytest.approx(0.8, rel=1e-12) and exact.points_used == 6
    rng = np.random.default_rng(19)
    pulls = []
    for _ in range(300):
        fit = decoupling_exponent(tau, 0.3 * tau ** -0.8 * np.exp(rng.normal(0, 0.05, 6)))
        pulls.append((fit.xi - 0.8) / fit.xi_err)
    assert 0.54 < _coverage(pulls) < 0.72
    assert decoupling_exponent([1.0], [2.0]) is None
    assert math.isnan(decoupling_exponent([1.0, 2.0], [2.0, 1.0]).xi_err)
