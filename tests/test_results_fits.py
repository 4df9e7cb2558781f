"""Fits on harvested results (glassdyn.results.fits) against synthetic data with known answers:
the alpha peak of a loss scan M''(T) and the glass transition of a quench trace H(T) (science.md §4)."""
from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import glassdyn.results.fits
from glassdyn.results.fits import apparent_heat_capacity, fit_alpha_peak, glass_transition

# An 8-temperature DMS scan with 20 K spacing whose true peak (512 K) lies between grid points.
SCAN = np.arange(440.0, 600.0, 20.0)
T_PEAK, PEAK_WIDTH, PEAK_HEIGHT, LOSS_NOISE = 512.0, 60.0, 5.0, 0.2

# A hinge H(T): glass below T_g, liquid above, continuous at T_g (per atom, eV and K).
T_G, SLOPE_GLASS, SLOPE_LIQUID = 650.0, 2.5e-4, 4.0e-4


def gaussian(t):
    return PEAK_HEIGHT * np.exp(-0.5 * ((t - T_PEAK) / PEAK_WIDTH) ** 2)


def lorentzian(t):
    return PEAK_HEIGHT / (1 + ((t - T_PEAK) / PEAK_WIDTH) ** 2)


def hinge(t):
    return -4.0 + np.where(t > T_G, SLOPE_LIQUID, SLOPE_GLASS) * (t - T_G)


def test_docstring_examples():
    assert doctest.testmod(glassdyn.results.fits).failed == 0


# --------------------------------------------------------------------------------------------------
# alpha peak


def test_exact_parabola_gives_its_vertex():
    """Every 5-point window of an exact parabola is fitted exactly, so the vertex and the height are the
    parabola's own (503.7 K, 5.0), and with zero residuals the unweighted error is zero."""
    loss = 5.0 - 1e-3 * (SCAN - 503.7) ** 2
    peak = fit_alpha_peak(SCAN, loss)
    assert not peak.at_edge
    assert peak.points_used == 5
    assert peak.t_alpha == pytest.approx(503.7, rel=1e-12)
    assert peak.loss_max == pytest.approx(5.0, rel=1e-12)
    assert peak.t_alpha_err == pytest.approx(0.0, abs=1e-6)


def test_order_and_non_finite_points_do_not_matter():
    """The fit sorts by temperature and drops nan points: a shuffled scan with a nan appended gives the
    same answer as the clean scan."""
    loss = gaussian(SCAN)
    order = np.random.default_rng(3).permutation(SCAN.size)
    shuffled = fit_alpha_peak(np.append(SCAN[order], 620.0), np.append(loss[order], np.nan))
    assert shuffled == fit_alpha_peak(SCAN, loss)


@pytest.mark.parametrize("shape", [gaussian, lorentzian])
def test_noisy_peak_recovered_within_error(shape):
    """Both shapes are symmetric about T_PEAK, so their maximum is at T_PEAK = 512 K. A parabola through
    5 points of a peak is biased only by the peak's asymmetric sampling; noise-free that bias is below
    the error expected from the noise, so the noisy fit (std given, fixed seed) must land within 3
    of its stated errors (a check that holds for ~98 % of seeds)."""
    std = np.full(SCAN.size, LOSS_NOISE)
    noiseless = fit_alpha_peak(SCAN, shape(SCAN), std)
    assert abs(noiseless.t_alpha - T_PEAK) < noiseless.t_alpha_err

    rng = np.random.default_rng(2024)
    peak = fit_alpha_peak(SCAN, shape(SCAN) + rng.normal(0.0, LOSS_NOISE, SCAN.size), std)
    assert not peak.at_edge
    assert peak.points_used == 5
    assert abs(peak.t_alpha - T_PEAK) < 3 * peak.t_alpha_err
    assert abs(peak.loss_max - noiseless.loss_max) < 3 * peak.loss_max_err


def test_peak_error_is_calibrated():
    """If the propagated error is right, |T_alpha - truth| < error in about 68 % of noise draws.
    With 300 draws the binomial spread is ~3 %; the Gaussian's small sampling bias (previous test)
    lowers the fraction a little, hence the asymmetric window."""
    std = np.full(SCAN.size, LOSS_NOISE)
    rng = np.random.default_rng(7)
    inside = 0
    for _ in range(300):
        peak = fit_alpha_peak(SCAN, gaussian(SCAN) + rng.normal(0.0, LOSS_NOISE, SCAN.size), std)
        inside += abs(peak.t_alpha - T_PEAK) < peak.t_alpha_err
    assert 0.55 < inside / 300 < 0.78


def test_unweighted_error_from_residuals():
    """Without std the covariance is scaled by the residual variance (5 points - 3 parameters), so a
    noisy scan gets a finite positive error; with exactly 3 points nothing is left to estimate it: nan."""
    rng = np.random.default_rng(11)
    peak = fit_alpha_peak(SCAN, gaussian(SCAN) + rng.normal(0, LOSS_NOISE, SCAN.size))
    assert math.isfinite(peak.t_alpha_err) and peak.t_alpha_err > 0

    three = fit_alpha_peak([500.0, 520.0, 540.0], [4.0, 5.0, 4.5])
    assert not three.at_edge and three.points_used == 3
    assert math.isnan(three.t_alpha_err) and math.isnan(three.loss_max_err)
    # The parabola through the 3 points is y = 5 - 0.75 u^2 + 0.25 u with u = (T - 520) / 20,
    # whose vertex is at u = 0.25 / (2 * 0.75).
    assert three.t_alpha == pytest.approx(520.0 + 20 * 0.25 / 1.5)


@pytest.mark.parametrize("loss, t_expected", [(np.linspace(1.0, 3.0, 8), SCAN[-1]),
                                              (np.linspace(3.0, 1.0, 8), SCAN[0])])
def test_maximum_at_the_scan_edge(loss, t_expected):
    """A monotonic scan has its largest point at an end: no bracketed maximum, so at_edge with
    T_alpha at that point, the point's own height and no position error."""
    peak = fit_alpha_peak(SCAN, loss, np.full(SCAN.size, 0.1))
    assert peak.at_edge
    assert peak.t_alpha == t_expected
    assert peak.loss_max == pytest.approx(loss.max())
    assert math.isnan(peak.t_alpha_err)
    assert peak.loss_max_err == pytest.approx(0.1)


def test_upward_parabola_is_reported_at_edge():
    """Largest point at 460 K, but the window 440-500 K dips in the middle (0 at 480 K): the best
    parabola opens upward and has no maximum, which is treated like an edge maximum."""
    loss = np.array([4.9, 5.0, 0.0, 4.95, 1.0, 1.0, 1.0, 1.0])
    peak = fit_alpha_peak(SCAN, loss)
    assert peak.at_edge
    assert peak.t_alpha == 460.0


@pytest.mark.parametrize("temperature, loss", [([500.0, 520.0], [1.0, 2.0]),
                                               ([500.0, 520.0, 540.0], [1.0, np.nan, 2.0]),
                                               ([], [])])
def test_fewer_than_three_points_raise(temperature, loss):
    with pytest.raises(ValueError, match="at least 3 points"):
        fit_alpha_peak(temperature, loss)


# --------------------------------------------------------------------------------------------------
# quench trace


def test_heat_capacity_of_piecewise_linear_enthalpy():
    """dH/dT of a hinge is SLOPE_GLASS below T_g and SLOPE_LIQUID above; a window that does not contain
    T_g sees an exact straight line, so its regression slope is exact."""
    t = np.linspace(1000.0, 300.0, 2001)                       # a cooling trace
    t_mid, cp = apparent_heat_capacity(t, hinge(t))
    width = (1000.0 - 300.0) / 20                              # the default window
    assert t_mid.size == 20 and np.all(np.diff(t_mid) > 0)
    glass, liquid = t_mid < T_G - width, t_mid > T_G + width
    np.testing.assert_allclose(cp[glass], SLOPE_GLASS, rtol=1e-9)
    np.testing.assert_allclose(cp[liquid], SLOPE_LIQUID, rtol=1e-9)
    # Only the window containing T_g is in between.
    assert np.sum(~glass & ~liquid) <= 2


def test_heat_capacity_window_and_errors():
    t = np.linspace(300.0, 1000.0, 701)
    t_mid, _ = apparent_heat_capacity(t, hinge(t), window=100.0)
    assert t_mid.size == 7                                     # 700 K range / 100 K windows
    with pytest.raises(ValueError, match="window"):
        apparent_heat_capacity(t, hinge(t), window=0.0)
    with pytest.raises(ValueError, match="at least 3"):
        apparent_heat_capacity([500.0, 500.0, 500.0], [1.0, 2.0, 3.0])


def test_exact_hinge_gives_its_kink():
    """Without noise the hinge model is exact at T_b = T_G (SSE = 0) and at no other breakpoint,
    so T_g is T_G to within the breakpoint grid spacing, and the slopes are exact."""
    t = np.linspace(1000.0, 300.0, 701)
    transition = glass_transition(t, hinge(t))
    assert transition.t_g == pytest.approx(T_G, abs=transition.t_g_err)
    assert transition.t_g_err < 1.0
    assert transition.slope_glass == pytest.approx(SLOPE_GLASS, rel=1e-3)
    assert transition.slope_liquid == pytest.approx(SLOPE_LIQUID, rel=1e-3)


def test_noisy_hinge_recovered_within_error():
    """Noise of 2 meV/atom on the hinge (fixed seed): T_g within 3 errors of the true kink and both
    slopes within 2 % (their least-squares error here is ~0.5 %)."""
    t = np.linspace(1000.0, 300.0, 701)
    rng = np.random.default_rng(5)
    transition = glass_transition(t, hinge(t) + rng.normal(0.0, 2e-3, t.size))
    assert abs(transition.t_g - T_G) < 3 * transition.t_g_err
    assert transition.t_g_err < 10.0
    assert transition.slope_glass == pytest.approx(SLOPE_GLASS, rel=0.02)
    assert transition.slope_liquid == pytest.approx(SLOPE_LIQUID, rel=0.02)


def test_glass_transition_needs_ten_points():
    with pytest.raises(ValueError, match="at least 10"):
        glass_transition(np.arange(9.0), np.arange(9.0))
