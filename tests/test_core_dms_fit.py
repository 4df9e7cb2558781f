"""The per-cycle sinusoid fit (C++ core, through glassdyn.analysis.DMSFit) on synthetic
signals whose moduli are known analytically (science.md §4)."""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import glassdyn.analysis.dms_fit
from glassdyn.analysis import DMSFit

EA, PERIOD = 0.01, 10.0
OMEGA = 2 * np.pi / PERIOD


def samples(cycles: int = 5, per_cycle: int = 400, t_start: float = 0.0):
    """Sample times as fix dms takes them: per_cycle evenly spaced instants per cycle."""
    return t_start + np.arange(cycles * per_cycle) * (PERIOD / per_cycle)


def strain(t, t_start=0.0):
    return EA * np.sin(OMEGA * (t - t_start))


def test_pure_elastic_response():
    """sigma = M eps: M' = M, M'' = 0, tan delta = 0, every cycle."""
    t = samples()
    fit = DMSFit(EA, PERIOD).compute(t, 170.0 * strain(t))
    assert fit.n_cycles == 4
    np.testing.assert_allclose(fit.cycles[:, 0], 170.0, rtol=1e-12)
    np.testing.assert_allclose(fit.cycles[:, 1], 0.0, atol=1e-9)
    assert fit.tan_delta == pytest.approx(0.0, abs=1e-12)


def test_pure_viscous_response():
    """sigma = eta d(eps)/dt = eta EA omega cos(omega t): M' = 0, M'' = eta omega."""
    eta = 3.0
    t = samples()
    fit = DMSFit(EA, PERIOD).compute(t, eta * EA * OMEGA * np.cos(OMEGA * t))
    assert fit.storage == pytest.approx(0.0, abs=1e-10)
    assert fit.loss == pytest.approx(eta * OMEGA, rel=1e-12)


@pytest.mark.parametrize("omega_tau", [0.3, 1.0, 4.0])
def test_maxwell_element_integrated_numerically(omega_tau):
    """A Maxwell element, d(sigma)/dt = G d(eps)/dt - sigma/tau, integrated exactly for a
    piecewise-linear strain (exponential integrator), after the transient has decayed:
    G' = G w^2 tau^2 / (1 + w^2 tau^2), G'' = G w tau / (1 + w^2 tau^2); at w tau = 1, G'' = G/2."""
    g_inf, tau = 40.0, omega_tau / OMEGA
    per_cycle = 2000
    t = samples(cycles=30, per_cycle=per_cycle)
    dt = t[1] - t[0]
    eps = strain(t)
    sigma = np.zeros_like(t)
    decay = np.exp(-dt / tau)
    for j in range(1, len(t)):
        rate = (eps[j] - eps[j - 1]) / dt
        sigma[j] = sigma[j - 1] * decay + g_inf * rate * tau * (1 - decay)
    discard = int(np.ceil(12 * tau / PERIOD)) + 1          # transient ~ exp(-t/tau)
    fit = DMSFit(EA, PERIOD, discard=discard).compute(t, sigma)
    x = omega_tau
    assert fit.storage == pytest.approx(g_inf * x * x / (1 + x * x), rel=2e-3)
    assert fit.loss == pytest.approx(g_inf * x / (1 + x * x), rel=2e-3)
    if x == 1.0:
        assert fit.loss == pytest.approx(g_inf / 2, rel=2e-3)


def test_noise_gives_the_expected_scatter():
    """White noise of std s on N samples per cycle: each fitted coefficient scatters with
    std s*sqrt(2/N), so M' scatters with s*sqrt(2/N)/EA over cycles; the means stay within
    a few standard errors of the truth."""
    rng = np.random.default_rng(2)
    per_cycle, cycles, s = 200, 60, 0.05
    t = samples(cycles=cycles, per_cycle=per_cycle)
    signal = 0.2 + 100.0 * strain(t) + 10.0 * EA * np.cos(OMEGA * t) + rng.normal(0, s, len(t))
    fit = DMSFit(EA, PERIOD).compute(t, signal)
    expected_std = s * np.sqrt(2 / per_cycle) / EA
    assert fit.storage_std == pytest.approx(expected_std, rel=0.3)
    assert fit.loss_std == pytest.approx(expected_std, rel=0.3)
    standard_error = expected_std / np.sqrt(fit.n_cycles)
    assert abs(fit.storage - 100.0) < 4 * standard_error
    assert abs(fit.loss - 10.0) < 4 * standard_error
    np.testing.assert_allclose(fit.cycles[:, 5], 0.2, atol=5 * s / np.sqrt(per_cycle))


def test_harmonics_are_recovered_and_do_not_bias_the_fundamental():
    t = samples()
    a1, b1 = 0.5, 0.1
    signal = (a1 * np.sin(OMEGA * t) + b1 * np.cos(OMEGA * t) + 0.03 * np.sin(2 * OMEGA * t)
              + 0.04 * np.cos(3 * OMEGA * t))
    with3 = DMSFit(EA, PERIOD, harmonics=3).compute(t, signal)
    fundamental = np.hypot(a1, b1)
    assert with3.harmonic2 == pytest.approx(0.03 / fundamental, rel=1e-9)
    assert with3.harmonic3 == pytest.approx(0.04 / fundamental, rel=1e-9)
    with1 = DMSFit(EA, PERIOD, harmonics=1).compute(t, signal)
    assert with1.storage == pytest.approx(a1 / EA, rel=1e-9)       # orthogonal over whole cycles
    assert with1.loss == pytest.approx(b1 / EA, rel=1e-9)
    assert with1.harmonic2 == 0.0


def test_cycles_follow_t_start_and_incomplete_cycles_are_dropped():
    # Samples from t = 2 to 41.9: before t_start = 3 they are ignored; [3,13), [13,23) and
    # [23,33) are complete cycles; [33,43) is cut short and dropped.
    t = samples(cycles=4, t_start=3.0)[:-50] - 1.0
    fit = DMSFit(EA, PERIOD, t_start=3.0, discard=0).compute(t, 80.0 * strain(t, t_start=3.0))
    assert len(fit.cycles) == 3
    np.testing.assert_allclose(fit.cycles[:, 0], 80.0, rtol=1e-9)


@pytest.mark.parametrize("kwargs, message", [
    ({"amplitude": 0, "period": 1}, r"amplitude: EA must be a strain in \(0, 0.2\]"),
    ({"amplitude": 0.01, "period": -1}, "period: TW must be > 0"),
    ({"amplitude": 0.01, "period": 1, "harmonics": 2}, r"harmonics: must be 1 \(fundamental\) or 3"),
    ({"amplitude": 0.01, "period": 1, "discard": -1}, "discard: K must be an integer >= 0"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DMSFit(**kwargs)


def test_docstring_example_runs():
    failures, attempted = doctest.testmod(glassdyn.analysis.dms_fit)
    assert attempted > 0 and failures == 0
