"""Fits on harvested campaign results: the alpha peak of a DMS temperature scan, and the glass
transition and apparent heat capacity of a quench trace (science.md §4).

NumPy least squares, and SciPy's curve_fit for the Arrhenius and VFT laws of tau_alpha(T) and D(T) (§9).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np
from numpy.typing import ArrayLike

#: Points taken on each side of the loss maximum for the parabola (so at most 5 points in all).
PEAK_HALF_WIDTH = 2

#: Fraction of the samples kept on each side of a trial breakpoint in :func:`glass_transition`.
HINGE_MARGIN = 0.1


@dataclass(frozen=True)
class AlphaPeak:
    """Position and height of the alpha maximum of the loss modulus M''(T).

    Attributes
    ----------
    t_alpha : float
        Temperature of the maximum (the parabola's vertex, or the temperature of the largest point
        when ``at_edge``).
    t_alpha_err : float
        One-standard-deviation error of ``t_alpha``; nan when it cannot be estimated.
    loss_max : float
        Height of the maximum (fitted), in the units of the loss values.
    loss_max_err : float
        One-standard-deviation error of ``loss_max``; nan when it cannot be estimated.
    at_edge : bool
        True when the scan does not bracket a maximum (largest point at either end of the scan, or
        a parabola that opens upward); ``t_alpha`` is then only a bound.
    points_used : int
        Number of points in the parabola fit (1 when ``at_edge``).
    """

    t_alpha: float
    t_alpha_err: float
    loss_max: float
    loss_max_err: float
    at_edge: bool
    points_used: int


@dataclass(frozen=True)
class GlassTransition:
    """Glass transition of a cooling trace H(T), from a continuous two-line fit.

    Attributes
    ----------
    t_g : float
        Temperature of the kink between the glass line (below) and the liquid line (above).
    t_g_err : float
        Half-width of the one-sigma profile interval of the breakpoint (see :func:`glass_transition`).
    slope_liquid, slope_glass : float
        dH/dT above and below ``t_g``: the heat capacities of the liquid and the glass, per atom when
        H is per atom.
    """

    t_g: float
    t_g_err: float
    slope_liquid: float
    slope_glass: float


# --------------------------------------------------------------------------------------------------
# alpha peak


def fit_alpha_peak(temperature: ArrayLike, loss: ArrayLike, loss_std: Optional[ArrayLike] = None) -> AlphaPeak:
    """Locate the alpha maximum of a loss modulus temperature scan M''(T).

    A parabola is fitted by least squares to the largest point and up to ``PEAK_HALF_WIDTH`` (2)
    neighbours on each side; its vertex is T_alpha and its value there the peak height. Errors follow
    by linear propagation from the covariance of the parabola's coefficients.

    Parameters
    ----------
    temperature : array_like
        Scan temperatures (any order).
    loss : array_like
        Loss modulus at each temperature (e.g. the mean over cycles).
    loss_std : array_like, optional
        Standard deviation of each loss value. When given, and finite and positive for every point of
        the fit, the fit is weighted by 1/std and the errors are taken as absolute. Otherwise the fit is
        unweighted and the covariance is scaled by the residual variance; with only 3 points that
        variance is undefined and the errors are nan.

    Returns
    -------
    AlphaPeak
        With ``at_edge=True``, ``t_alpha`` at the largest point and nan errors when the scan does not
        bracket a maximum.

    Raises
    ------
    ValueError
        If fewer than 3 points have a finite temperature and loss, or the inputs differ in shape.

    Examples
    --------
    >>> peak = fit_alpha_peak([480, 500, 520, 540, 560], [3.0, 4.5, 5.0, 4.5, 3.0])
    >>> round(peak.t_alpha, 6), round(peak.loss_max, 6), peak.at_edge
    (520.0, 5.0, False)
    """
    t, y, s = _finite_sorted(temperature, loss, loss_std)
    if t.size < 3:
        raise ValueError(f"fit_alpha_peak needs at least 3 points with finite temperature and loss, got {t.size}")

    top = int(np.argmax(y))
    if top in (0, t.size - 1):
        return _edge_peak(t, y, s, top)

    window = slice(max(top - PEAK_HALF_WIDTH, 0), min(top + PEAK_HALF_WIDTH + 1, t.size))
    std = s[window] if s is not None and np.all(s[window] > 0) else None
    # Centring on the largest point keeps the normal equations well conditioned at T ~ 10^2-10^3.
    x = t[window] - t[top]
    coef, cov = _weighted_polyfit(x, y[window], degree=2, std=std)
    a, b, c = coef
    if not a < 0:
        return _edge_peak(t, y, s, top)

    vertex = -b / (2 * a)
    height = c - b * b / (4 * a)
    # Gradients of vertex and height with respect to (a, b, c), for linear error propagation.
    grad_vertex = np.array([b / (2 * a * a), -1 / (2 * a), 0.0])
    grad_height = np.array([b * b / (4 * a * a), -b / (2 * a), 1.0])
    return AlphaPeak(t_alpha=float(t[top] + vertex), t_alpha_err=_propagate(grad_vertex, cov),
                     loss_max=float(height), loss_max_err=_propagate(grad_height, cov),
                     at_edge=False, points_used=int(x.size))


def _finite_sorted(temperature: ArrayLike, values: ArrayLike,
                   std: Optional[ArrayLike] = None) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """Drop points with a non-finite temperature or value and sort by temperature."""
    t = np.asarray(temperature, dtype=float).ravel()
    y = np.asarray(values, dtype=float).ravel()
    s = None if std is None else np.asarray(std, dtype=float).ravel()
    if y.shape != t.shape or (s is not None and s.shape != t.shape):
        shapes = ", ".join(str(a.shape) for a in (t, y, s) if a is not None)
        raise ValueError(f"temperature, values and std must have the same length, got shapes {shapes}")
    keep = np.isfinite(t) & np.isfinite(y)
    order = np.argsort(t[keep], kind="stable")
    return t[keep][order], y[keep][order], None if s is None else s[keep][order]


def _edge_peak(t: np.ndarray, y: np.ndarray, s: Optional[np.ndarray], top: int) -> AlphaPeak:
    """The 'no bracketed maximum' answer: the largest point itself, without a position error."""
    height_err = float(s[top]) if s is not None and np.isfinite(s[top]) else float("nan")
    return AlphaPeak(t_alpha=float(t[top]), t_alpha_err=float("nan"), loss_max=float(y[top]),
                     loss_max_err=height_err, at_edge=True, points_used=1)


def _weighted_polyfit(x: np.ndarray, y: np.ndarray, degree: int,
                      std: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares polynomial (highest power first) and the covariance of its coefficients.

    With ``std`` the residuals are divided by it and the covariance is (A^T W A)^-1, the errors being
    known. Without, the covariance is scaled by the residual variance SSE/(n - p), which is undefined
    (nan) when there are no degrees of freedom left.
    """
    design = np.vander(x, degree + 1)
    scale = np.ones_like(y) if std is None else 1.0 / std
    coef, *_ = np.linalg.lstsq(design * scale[:, None], y * scale, rcond=None)
    cov = np.linalg.inv((design * scale[:, None]).T @ (design * scale[:, None]))
    if std is None:
        dof = x.size - (degree + 1)
        residual = y - design @ coef
        cov = cov * (residual @ residual / dof if dof > 0 else np.nan)
    return coef, cov


def _propagate(gradient: np.ndarray, cov: np.ndarray) -> float:
    """Standard deviation of a function of fit parameters, to first order: sqrt(g^T C g)."""
    variance = float(gradient @ cov @ gradient)
    return float(np.sqrt(variance)) if variance >= 0 else float("nan")


# --------------------------------------------------------------------------------------------------
# quench trace


def apparent_heat_capacity(temperature: ArrayLike, enthalpy: ArrayLike,
                           window: Optional[float] = None) -> tuple[np.ndarray, np.ndarray]:
    """Apparent heat capacity dH/dT of a noisy cooling trace, by local linear regression.

    The samples are sorted by temperature and grouped into consecutive temperature windows of width
    ``window``; in each window with at least 3 samples the slope of a straight-line fit of H against
    T is the heat capacity at the mean temperature of the window. Regressing over a window, rather
    than differencing neighbours, is what tames the thermal noise of instantaneous T and H.

    Parameters
    ----------
    temperature : array_like
        Instantaneous temperatures of the trace.
    enthalpy : array_like
        Enthalpy (or potential energy) per atom at the same samples.
    window : float, optional
        Width of the temperature windows; default 1/20 of the temperature range.

    Returns
    -------
    t_mid : ndarray
        Mean temperature of each window, increasing.
    cp : ndarray
        dH/dT in each window: energy per temperature per atom when H is per atom.

    Raises
    ------
    ValueError
        If fewer than 3 finite samples are given, all at one temperature, or ``window`` is not > 0.
    """
    t, h, _ = _finite_sorted(temperature, enthalpy)
    if t.size < 3 or t[-1] == t[0]:
        raise ValueError("apparent_heat_capacity needs at least 3 finite samples spanning a temperature range")
    width = (t[-1] - t[0]) / 20 if window is None else float(window)
    if not width > 0:
        raise ValueError(f"window must be > 0, got {window}")

    n_windows = max(int(np.ceil((t[-1] - t[0]) / width)), 1)
    # The hottest sample sits exactly on the last edge: fold it into the last window.
    index = np.minimum(((t - t[0]) / width).astype(int), n_windows - 1)
    t_mid, cp = [], []
    for k in range(n_windows):
        tk, hk = t[index == k], h[index == k]
        if tk.size < 3 or np.ptp(tk) == 0:
            continue
        t_mid.append(tk.mean())
        cp.append(_slope(tk, hk))
    return np.asarray(t_mid), np.asarray(cp)


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y against x."""
    dx = x - x.mean()
    return float(dx @ (y - y.mean()) / (dx @ dx))


def glass_transition(temperature: ArrayLike, enthalpy: ArrayLike, *, n_breakpoints: int = 1001) -> GlassTransition:
    """Glass transition temperature from a continuous two-line (hinge) fit of H(T).

    For each trial breakpoint T_b, H = h0 + s_glass min(T - T_b, 0) + s_liquid max(T - T_b, 0) is
    fitted by linear least squares; T_g is the T_b of smallest sum of squared residuals (SSE). Trial
    breakpoints are evenly spaced between the temperatures that leave ``HINGE_MARGIN`` (10 %) of the
    samples on each side, so both lines are always fitted to real data.

    Uncertainty: the profile-likelihood interval. With Gaussian residuals of variance estimated as
    s^2 = SSE_min / (n - 4) (four parameters: h0, two slopes, T_b), the one-sigma interval is the set
    of T_b with SSE(T_b) < SSE_min + s^2, i.e. SSE < SSE_min (1 + 1/(n - 4)); ``t_g_err`` is the
    largest distance from T_g within that set, and at least the spacing of the trial breakpoints.
    Even for an exact hinge with white noise this interval is a little optimistic (it held the true
    kink in 55-65 % of synthetic draws, against a nominal 68 %). It also assumes independent samples,
    while consecutive samples of an MD trace are correlated, and a real transition is rounded rather
    than a sharp kink: read the error as a lower bound.

    Parameters
    ----------
    temperature : array_like
        Temperatures of the trace (any order).
    enthalpy : array_like
        Enthalpy (or potential energy) per atom.
    n_breakpoints : int
        Number of trial breakpoints scanned.

    Returns
    -------
    GlassTransition

    Raises
    ------
    ValueError
        If fewer than 10 finite samples are given or they span no temperature range.
    """
    t, h, _ = _finite_sorted(temperature, enthalpy)
    if t.size < 10 or t[-1] == t[0]:
        raise ValueError(f"glass_transition needs at least 10 finite samples spanning a temperature range, "
                         f"got {t.size}")
    margin = max(int(np.ceil(HINGE_MARGIN * t.size)), 2)
    breakpoints = np.linspace(t[margin - 1], t[t.size - margin], max(int(n_breakpoints), 2))
    sse = np.array([_hinge_fit(t, h, tb)[1] for tb in breakpoints])

    best = int(np.argmin(sse))
    t_g = float(breakpoints[best])
    accepted = breakpoints[sse <= sse[best] * (1 + 1 / (t.size - 4))]
    step = breakpoints[1] - breakpoints[0]
    t_g_err = float(max(np.max(np.abs(accepted - t_g)), step))
    (_, slope_glass, slope_liquid), _ = _hinge_fit(t, h, t_g)
    return GlassTransition(t_g=t_g, t_g_err=t_g_err, slope_liquid=float(slope_liquid), slope_glass=float(slope_glass))


def _hinge_fit(t: np.ndarray, h: np.ndarray, breakpoint: float) -> tuple[np.ndarray, float]:
    """Continuous two-line fit with a fixed breakpoint: coefficients (h0, s_glass, s_liquid) and SSE."""
    dt = t - breakpoint
    design = np.column_stack([np.ones_like(t), np.minimum(dt, 0.0), np.maximum(dt, 0.0)])
    coef, *_ = np.linalg.lstsq(design, h, rcond=None)
    residual = h - design @ coef
    return coef, float(residual @ residual)


# --------------------------------------------------------------------------------------------------
# relaxation times and diffusion against temperature (science.md §9)


@dataclass(frozen=True)
class ActivatedFit:
    """y(T) = prefactor * exp(sign * B / (T - T0)): Arrhenius when T0 = 0, VFT otherwise.

    ``sign`` is +1 for a time that grows on cooling (tau_alpha) and -1 for a rate that falls (D).
    For Arrhenius, B = E/k_B (temperature units). Errors are one standard deviation from the
    covariance of :func:`scipy.optimize.curve_fit` on ln y (nan when it cannot be estimated).
    """

    law: str
    prefactor: float
    prefactor_err: float
    b: float
    b_err: float
    t0: float
    t0_err: float
    sign: int
    points_used: int

    def __call__(self, temperature: ArrayLike) -> np.ndarray:
        t = np.asarray(temperature, dtype=float)
        return self.prefactor * np.exp(self.sign * self.b / (t - self.t0))

    def temperature_at(self, value: float) -> float:
        """The temperature where y(T) = ``value`` (nan when the law never reaches it above T0)."""
        ratio = math.log(value / self.prefactor) * self.sign
        return self.t0 + self.b / ratio if ratio > 0 else float("nan")


def _log_data(temperature: ArrayLike, values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(temperature, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = np.isfinite(t) & np.isfinite(y) & (y > 0) & (t > 0)
    return t[keep], np.log(y[keep])


def fit_arrhenius(temperature: ArrayLike, values: ArrayLike, *, sign: int = 1) -> Optional[ActivatedFit]:
    """Arrhenius y = y0 exp(sign E / T) by least squares on ln y; None with fewer than 2 valid points.

    Examples
    --------
    >>> t = np.array([0.5, 0.6, 0.8, 1.0])
    >>> fit = fit_arrhenius(t, 0.1 * np.exp(3.0 / t))
    >>> round(fit.b, 6), round(fit.prefactor, 6)
    (3.0, 0.1)
    """
    from scipy.optimize import OptimizeWarning, curve_fit

    t, log_y = _log_data(temperature, values)
    if len(t) < 2 or np.ptp(t) == 0:
        return None
    with warnings.catch_warnings():  # two points: an exact line, no covariance (errors are nan)
        warnings.simplefilter("ignore", OptimizeWarning)
        params, cov = curve_fit(lambda x, a, b: a + sign * b / x, t, log_y, p0=(log_y.mean(), 0.0))
    errors = _errors(cov, len(t), 2)
    return ActivatedFit("arrhenius", float(math.exp(params[0])), float(math.exp(params[0]) * errors[0]),
                        float(params[1]), float(errors[1]), 0.0, 0.0, sign, len(t))


def fit_vft(temperature: ArrayLike, values: ArrayLike, *, sign: int = 1) -> Optional[ActivatedFit]:
    """Vogel-Fulcher-Tammann y = y0 exp(sign B / (T - T0)), 0 <= T0 < min T, on ln y.

    Needs at least 4 valid points (three parameters and one degree of freedom); None otherwise or
    when the fit does not converge. Starts from the Arrhenius fit with T0 = 0.
    """
    from scipy.optimize import curve_fit

    t, log_y = _log_data(temperature, values)
    arrhenius = fit_arrhenius(t, np.exp(log_y), sign=sign)
    if len(t) < 4 or arrhenius is None:
        return None
    low = float(t.min())
    b0 = max(abs(arrhenius.b), 1e-12 * low)
    try:
        params, cov = curve_fit(lambda x, a, b, t0: a + sign * b / (x - t0), t, log_y,
                                p0=(math.log(arrhenius.prefactor), b0, 0.1 * low),
                                bounds=((-np.inf, 0.0, 0.0), (np.inf, np.inf, 0.999 * low)), maxfev=20000)
    except (RuntimeError, ValueError):
        return None
    errors = _errors(cov, len(t), 3)
    return ActivatedFit("vft", float(math.exp(params[0])), float(math.exp(params[0]) * errors[0]), float(params[1]),
                        float(errors[1]), float(params[2]), float(errors[2]), sign, len(t))


def _errors(cov: np.ndarray, points: int, parameters: int) -> np.ndarray:
    """Standard errors from curve_fit's covariance; nan without a degree of freedom."""
    if points <= parameters or not np.all(np.isfinite(cov)):
        return np.full(parameters, np.nan)
    return np.sqrt(np.clip(np.diag(cov), 0.0, None))


def temperature_of_unit_product(fit: ActivatedFit, period: float) -> float:
    """The temperature where omega tau_alpha = 1 for a DMS period (omega = 2 pi / period)."""
    return fit.temperature_at(period / (2.0 * math.pi))
