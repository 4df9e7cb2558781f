"""Fits on harvested campaign results: the alpha peak of a DMS temperature scan, and the glass
transition and apparent heat capacity of a quench trace (science.md §4).

NumPy least squares, and SciPy's curve_fit for the Arrhenius and VFT laws of tau_alpha(T) and D(T) (§9);
activation energies from several DMS periods, the beta peak of a loss scan, the fragility index and
the decoupling of D and tau_alpha (§9).
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


# --------------------------------------------------------------------------------------------------
# activation energies, the beta peak, fragility and D-tau decoupling (science.md §9)

#: Boltzmann's constant in the energy unit per temperature unit of each LAMMPS unit style: eV/K for
#: metal (CODATA 2018, exact), 1 for lj (temperatures are already energies, epsilon/k_B).
BOLTZMANN = {"metal": 8.617333262e-5, "lj": 1.0}


def boltzmann(units: str) -> float:
    """k_B in the energy unit of a unit style ("metal": eV/K, "lj": 1)."""
    try:
        return BOLTZMANN[units]
    except KeyError:
        raise ValueError(f"units: no Boltzmann constant for {units!r}; known: {sorted(BOLTZMANN)}") from None


@dataclass(frozen=True)
class ActivationEnergy:
    """Arrhenius law of the peak temperatures of several DMS periods: ln omega = ln omega0 - E/(k_B T).

    Attributes
    ----------
    energy, energy_err : float
        Apparent activation energy E and its one-standard-deviation error, in ``energy_unit``.
    log_omega0, log_omega0_err : float
        ln of the attempt frequency omega0 (omega in rad per time unit).
    points_used : int
        Periods in the fit.
    reduced_chi2 : float
        chi^2 per degree of freedom of the weighted fit (nan with 2 points or without errors); well
        above 1 means curvature (non-Arrhenius) or underestimated T errors.
    energy_unit : str
    """

    energy: float
    energy_err: float
    log_omega0: float
    log_omega0_err: float
    points_used: int
    reduced_chi2: float
    energy_unit: str


def activation_energy(periods: ArrayLike, temperatures: ArrayLike, temperature_errors: Optional[ArrayLike] = None,
                      *, units: str = "metal") -> Optional[ActivationEnergy]:
    """E from peak temperatures T(omega) of several periods, omega = 2 pi / period.

    The Arrhenius law is fitted as 1/T = (ln omega0 - ln omega) k_B / E, a straight line in ln omega
    (exactly known) with the error on 1/T alone, sigma(1/T) = sigma_T / T^2: weighted least squares
    with absolute errors when every ``temperature_errors`` is finite and > 0, else unweighted with
    the residual variance (errors nan with 2 points). E and ln omega0 follow from the slope and
    intercept by first-order propagation.

    Parameters
    ----------
    periods : array_like
        DMS periods (time units).
    temperatures : array_like
        Peak temperature at each period (e.g. :attr:`AlphaPeak.t_alpha`); non-finite entries are dropped.
    temperature_errors : array_like, optional
        One-sigma errors of ``temperatures``.
    units : str
        LAMMPS unit style ("metal": E in eV; "lj": E in epsilon).

    Returns
    -------
    ActivationEnergy or None
        None with fewer than 2 distinct periods with a finite temperature.

    Examples
    --------
    >>> period = np.array([1.0, 10.0, 100.0])
    >>> t = 1.0 / (np.log(1e3) - np.log(2 * np.pi / period)) * 5.0    # E = 5, omega0 = 1e3, k_B = 1
    >>> fit = activation_energy(period, t, units="lj")
    >>> round(fit.energy, 6), round(math.exp(fit.log_omega0), 3)
    (5.0, 1000.0)
    """
    from glassdyn.units import unit_system

    k_b = boltzmann(units)
    energy_unit = unit_system(units).energy_unit
    p = np.asarray(periods, dtype=float).ravel()
    t = np.asarray(temperatures, dtype=float).ravel()
    s = np.full_like(t, np.nan) if temperature_errors is None else np.asarray(temperature_errors, dtype=float).ravel()
    if not (p.shape == t.shape == s.shape):
        raise ValueError(f"periods, temperatures and temperature_errors must have the same length, got "
                         f"{p.shape}, {t.shape}, {s.shape}")
    keep = np.isfinite(p) & (p > 0) & np.isfinite(t) & (t > 0)
    p, t, s = p[keep], t[keep], s[keep]
    if np.unique(p).size < 2:
        return None
    ln_omega = np.log(2 * np.pi / p)
    inverse_t = 1.0 / t
    std = s / t ** 2 if np.all(np.isfinite(s) & (s > 0)) else None
    # 1/T = a + b ln(omega); a = k_B ln(omega0)/E, b = -k_B/E.
    (b, a), cov = _weighted_polyfit(ln_omega, inverse_t, degree=1, std=std)
    if std is not None:
        residual = (inverse_t - (a + b * ln_omega)) / std
        dof = t.size - 2
        reduced = float(residual @ residual / dof) if dof > 0 else float("nan")
    else:
        reduced = float("nan")
    energy = -k_b / b
    log_omega0 = -a / b
    grad_energy = np.array([k_b / b ** 2, 0.0])
    grad_log = np.array([a / b ** 2, -1.0 / b])
    return ActivationEnergy(energy=float(energy), energy_err=_propagate(grad_energy, cov),
                            log_omega0=float(log_omega0), log_omega0_err=_propagate(grad_log, cov),
                            points_used=int(t.size), reduced_chi2=reduced, energy_unit=energy_unit)


#: Significance level of the F-test that a second loss peak is needed (see :func:`fit_loss_peaks`).
BETA_F_TEST_LEVEL = 0.01

#: A resolved beta component must be this many of its own errors tall.
BETA_HEIGHT_SIGMAS = 3.0


@dataclass(frozen=True)
class LossPeaks:
    """One- against two-component description of a loss scan M''(T) (the beta peak or shoulder).

    Attributes
    ----------
    resolved : bool
        True when the beta component passes every test of :func:`fit_loss_peaks`.
    reason : str
        Why it is or is not resolved (one line, for tables and footnotes).
    t_beta, t_beta_err : float
        Centre of the colder Gaussian and its error (nan when no two-component fit converged).
    height_beta, height_beta_err : float
        Its height (loss units).
    t_alpha_two, height_alpha_two : float
        Centre and height of the hotter Gaussian of the two-component fit.
    f_statistic, p_value : float
        F-test of the two-component against the one-component model (nan when not computed).
    """

    resolved: bool
    reason: str
    t_beta: float = float("nan")
    t_beta_err: float = float("nan")
    height_beta: float = float("nan")
    height_beta_err: float = float("nan")
    t_alpha_two: float = float("nan")
    height_alpha_two: float = float("nan")
    f_statistic: float = float("nan")
    p_value: float = float("nan")


def _gauss(x: np.ndarray, height: float, centre: float, width: float) -> np.ndarray:
    return height * np.exp(-0.5 * ((x - centre) / width) ** 2)


def _two_gauss(x: np.ndarray, h1: float, c1: float, w1: float, h2: float, c2: float, w2: float) -> np.ndarray:
    return _gauss(x, h1, c1, w1) + _gauss(x, h2, c2, w2)


def _gauss_jacobian(x: np.ndarray, height: float, centre: float, width: float) -> np.ndarray:
    """Derivatives of :func:`_gauss` by (height, centre, width): analytic, so the solver needs no
    finite differences (several times fewer model evaluations)."""
    z = (x - centre) / width
    shape = np.exp(-0.5 * z * z)
    return np.column_stack([shape, height * shape * z / width, height * shape * z * z / width])


def _two_gauss_jacobian(x: np.ndarray, h1: float, c1: float, w1: float, h2: float, c2: float,
                        w2: float) -> np.ndarray:
    return np.hstack([_gauss_jacobian(x, h1, c1, w1), _gauss_jacobian(x, h2, c2, w2)])


def fit_loss_peaks(temperature: ArrayLike, loss: ArrayLike, loss_std: Optional[ArrayLike] = None, *,
                   level: float = BETA_F_TEST_LEVEL, height_sigmas: float = BETA_HEIGHT_SIGMAS) -> LossPeaks:
    """Look for a beta peak or shoulder beside the alpha peak of a loss scan M''(T).

    Two models are fitted by :func:`scipy.optimize.curve_fit` (weighted by ``loss_std`` when every
    value is finite and > 0): one Gaussian in T (3 parameters), and the sum of two Gaussians (6),
    started from up to 4 positions of the second one below the single peak, so that a shoulder is
    found as well as a separate peak. The colder Gaussian of the two is the beta component (at a fixed frequency the
    faster beta process shows up below T_alpha).

    **Resolved** means all of:

    1. the F-test of the two-component model against one component rejects one component at
       significance ``level`` (default 0.01): F = [(chi2_1 - chi2_2)/3] / [chi2_2/(n - 6)], which
       needs n >= 7 temperatures and does not depend on the overall scale of the errors;
    2. the beta height exceeds ``height_sigmas`` (default 3) times its fitted error;
    3. the beta centre lies inside the scanned temperature range and below the alpha centre, by
       more than its own error.

    Otherwise ``resolved`` is False and ``reason`` names the first test that failed.

    Parameters
    ----------
    temperature, loss : array_like
        The scan and the mean loss at each temperature.
    loss_std : array_like, optional
        One-sigma errors of the means (e.g. std / sqrt(n_cycles)).
    level, height_sigmas : float
        Thresholds of tests 1 and 2.

    Returns
    -------
    LossPeaks
    """
    from scipy.optimize import curve_fit
    from scipy.special import fdtrc

    t, y, s = _finite_sorted(temperature, loss, loss_std)
    n = t.size
    if n < 7:
        return LossPeaks(False, f"{n} temperatures: a two-peak fit needs at least 7")
    sigma = s if s is not None and np.all(np.isfinite(s) & (s > 0)) else None
    # Fitted in scaled variables (T from 0 to 1 over the scan, loss maximum 1): the least-squares
    # solver converges in a few dozen evaluations instead of thousands at T ~ 10^2-10^3.
    low, span = float(t[0]), float(t[-1] - t[0])
    scale = float(np.max(np.abs(y))) or 1.0
    x, z = (t - low) / span, y / scale
    zs = None if sigma is None else sigma / scale
    weights = np.ones_like(z) if zs is None else 1.0 / zs
    step = float(np.min(np.diff(x)))
    top = int(np.argmax(z))

    def chi2(model: np.ndarray) -> float:
        return float((((z - model) * weights) ** 2).sum())

    w_low, w_high = step / 4, 2.0
    try:
        one, _ = curve_fit(_gauss, x, z, p0=(z[top], x[top], 0.25), sigma=zs, absolute_sigma=zs is not None,
                           bounds=((0.0, -1.0, w_low), (np.inf, 2.0, w_high)), jac=_gauss_jacobian, maxfev=5000)
    except (RuntimeError, ValueError) as error:
        return LossPeaks(False, f"one-peak fit failed ({error})")
    chi2_one = chi2(_gauss(x, *one))

    best = None
    bounds = ((0.0, -1.0, w_low, 0.0, -1.0, w_low), (np.inf, 2.0, w_high, np.inf, 2.0, w_high))
    colder = x[(x > 0) & (x < one[1])]
    starts = colder[np.unique(np.linspace(0, colder.size - 1, min(colder.size, 4)).astype(int))] if colder.size else []
    for start in starts:
        p0 = (one[0], one[1], one[2], 0.3 * z[top], start, max(0.125, 2 * w_low))
        try:
            params, cov = curve_fit(_two_gauss, x, z, p0=p0, sigma=zs, absolute_sigma=zs is not None,
                                    bounds=bounds, jac=_two_gauss_jacobian, maxfev=1500)
        except (RuntimeError, ValueError):
            continue
        value = chi2(_two_gauss(x, *params))
        if best is None or value < best[0]:
            best = (value, params, cov)
    if best is None:
        return LossPeaks(False, "no two-peak fit converged")
    chi2_two, params, cov = best
    # Back to T and loss units; the colder component is beta.
    units = np.array([scale, span, span, scale, span, span])
    offset = np.array([0.0, low, 0.0, 0.0, low, 0.0])
    params = params * units + offset
    cov = cov * np.outer(units, units)
    if params[4] > params[1]:
        params = params[[3, 4, 5, 0, 1, 2]]
        cov = cov[np.ix_([3, 4, 5, 0, 1, 2], [3, 4, 5, 0, 1, 2])]
    h_alpha, c_alpha, _, h_beta, c_beta, _ = params
    errors = np.sqrt(np.clip(np.diag(cov), 0.0, None)) if np.all(np.isfinite(cov)) else np.full(6, np.nan)
    dof = n - 6
    f_stat = ((chi2_one - chi2_two) / 3) / (chi2_two / dof) if chi2_two > 0 else float("inf")
    p_value = float(fdtrc(3, dof, f_stat))   # survival function of the F(3, n - 6) distribution
    found = dict(t_beta=float(c_beta), t_beta_err=float(errors[4]), height_beta=float(h_beta),
                 height_beta_err=float(errors[3]), t_alpha_two=float(c_alpha), height_alpha_two=float(h_alpha),
                 f_statistic=float(f_stat), p_value=p_value)
    if not p_value < level:
        return LossPeaks(False, f"two peaks not better than one (F-test p = {p_value:.2g} >= {level:g})", **found)
    if not (np.isfinite(errors[3]) and h_beta > height_sigmas * errors[3]):
        return LossPeaks(False, f"beta height {h_beta:.3g} not above {height_sigmas:g} x its error "
                                f"{errors[3]:.2g}", **found)
    if not (t[0] <= c_beta <= t[-1] and c_alpha - c_beta > errors[4]):
        return LossPeaks(False, f"beta centre {c_beta:.4g} outside the scan [{t[0]:g}, {t[-1]:g}] or not "
                                "below T_alpha", **found)
    return LossPeaks(True, f"F-test p = {p_value:.2g}, height {h_beta / errors[3]:.1f} sigma", **found)


@dataclass(frozen=True)
class Fragility:
    """Steepness of tau_alpha(T) from a VFT (4+ temperatures) or Arrhenius fit (science.md §9).

    Attributes
    ----------
    m, m_err : float
        Steepness index m = d log10 tau / d(T_ref/T) at T = T_ref, with its error from the fit's
        covariance (T_ref's own dependence on the parameters included).
    t_ref : float
        Temperature where the fitted tau equals ``reference_time``.
    reference_time : float
        The time scale of the index (default: the longest measured tau_alpha).
    law : str
        "vft" or "arrhenius".
    fit : ActivatedFit
        The fitted law.
    temperatures : ndarray
        The measured temperatures (increasing).
    activation_energy, activation_energy_err : ndarray
        Apparent activation energy E(T) = k_B d ln tau / d(1/T) = k_B B T^2/(T - T0)^2 at each of
        ``temperatures``, in ``energy_unit``, and its error.
    energy_at_ref, energy_at_ref_err : float
        The same at T_ref (= ln 10 m k_B T_ref).
    energy_unit : str
    """

    m: float
    m_err: float
    t_ref: float
    reference_time: float
    law: str
    fit: ActivatedFit
    temperatures: np.ndarray
    activation_energy: np.ndarray
    activation_energy_err: np.ndarray
    energy_at_ref: float
    energy_at_ref_err: float
    energy_unit: str


def _activated_with_covariance(t: np.ndarray, log_y: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    """(law, [ln y0, B, T0], 3x3 covariance) of the VFT fit (4+ points) or Arrhenius (T0 fixed at 0)."""
    from scipy.optimize import curve_fit

    vft = fit_vft(t, np.exp(log_y)) if t.size >= 4 else None
    if vft is not None:
        params, cov = curve_fit(lambda x, a, b, t0: a + b / (x - t0), t, log_y,
                                p0=(math.log(vft.prefactor), vft.b, vft.t0),
                                bounds=((-np.inf, 0.0, 0.0), (np.inf, np.inf, 0.999 * float(t.min()))), maxfev=20000)
        if t.size <= 3 or not np.all(np.isfinite(cov)):
            cov = np.full((3, 3), np.nan)
        return "vft", np.asarray(params, dtype=float), np.asarray(cov, dtype=float)
    design = np.column_stack([np.ones_like(t), 1.0 / t])
    coef, *_ = np.linalg.lstsq(design, log_y, rcond=None)
    residual = log_y - design @ coef
    dof = t.size - 2
    cov2 = np.linalg.inv(design.T @ design) * (residual @ residual / dof if dof > 0 else np.nan)
    cov = np.zeros((3, 3))
    cov[:2, :2] = cov2
    return "arrhenius", np.array([coef[0], coef[1], 0.0]), cov


def fragility(temperature: ArrayLike, tau: ArrayLike, *, reference_time: Optional[float] = None,
              units: str = "metal") -> Optional[Fragility]:
    """Fragility (steepness) index and apparent activation energies of tau_alpha(T).

    ln tau = ln tau0 + B/(T - T0) is fitted on ln tau (VFT from 4 temperatures, else Arrhenius with
    T0 = 0). T_ref solves tau(T_ref) = ``reference_time`` and
    m = d log10 tau / d(T_ref/T) |_(T_ref) = B T_ref / (ln 10 (T_ref - T0)^2); the calorimetric
    definition uses T_g (tau ~ 100 s), out of reach of MD, so the index here is the steepness at
    the time scale of the data. Errors: first-order propagation with the fit's covariance, by
    central differences.

    Parameters
    ----------
    temperature, tau : array_like
        Measured tau_alpha(T); points with tau <= 0 or non-finite values are dropped.
    reference_time : float, optional
        Default the longest measured tau.
    units : str
        Unit style of the energies ("metal": eV, "lj": epsilon).

    Returns
    -------
    Fragility or None
        None with fewer than 2 valid temperatures or when the fit never reaches ``reference_time``.
    """
    from glassdyn.units import unit_system

    k_b = boltzmann(units)
    t, log_tau = _log_data(temperature, tau)
    if t.size < 2 or np.ptp(t) == 0:
        return None
    order = np.argsort(t)
    t, log_tau = t[order], log_tau[order]
    reference = float(np.exp(log_tau.max())) if reference_time is None else float(reference_time)
    if not (math.isfinite(reference) and reference > 0):
        raise ValueError(f"reference_time must be finite and > 0, got {reference_time}")
    law, params, cov = _activated_with_covariance(t, log_tau)
    log_ref = math.log(reference)

    def t_ref_of(p: np.ndarray) -> float:
        gap = log_ref - p[0]
        return p[2] + p[1] / gap if gap > 0 and p[1] > 0 else float("nan")

    def m_of(p: np.ndarray) -> float:
        tr = t_ref_of(p)
        return p[1] * tr / (math.log(10) * (tr - p[2]) ** 2)

    def energy_of(p: np.ndarray) -> np.ndarray:
        return k_b * p[1] * t ** 2 / (t - p[2]) ** 2

    t_ref = t_ref_of(params)
    if not math.isfinite(t_ref):
        return None
    m = m_of(params)
    m_err = _propagate(_gradient(m_of, params, law), cov)
    energies = energy_of(params)
    jac = np.column_stack([_gradient(lambda p, k=k: energy_of(p)[k], params, law) for k in range(t.size)])
    energy_err = np.array([_propagate(jac[:, k], cov) for k in range(t.size)])
    fit = ActivatedFit(law, float(math.exp(params[0])), float("nan"), float(params[1]),
                       float(math.sqrt(cov[1, 1])) if np.isfinite(cov[1, 1]) else float("nan"), float(params[2]),
                       float(math.sqrt(cov[2, 2])) if np.isfinite(cov[2, 2]) else float("nan"), 1, int(t.size))
    def energy_at_ref(p: np.ndarray) -> float:
        tr = t_ref_of(p)
        return k_b * p[1] * tr ** 2 / (tr - p[2]) ** 2

    return Fragility(m=float(m), m_err=m_err, t_ref=float(t_ref), reference_time=reference, law=law, fit=fit,
                     temperatures=t, activation_energy=energies, activation_energy_err=energy_err,
                     energy_at_ref=float(energy_at_ref(params)),
                     energy_at_ref_err=_propagate(_gradient(energy_at_ref, params, law), cov),
                     energy_unit=unit_system(units).energy_unit)


def _gradient(function, params: np.ndarray, law: str) -> np.ndarray:
    """Central-difference gradient of a scalar function of (ln y0, B, T0); T0 held at 0 for Arrhenius."""
    grad = np.zeros(3)
    for k in range(3 if law == "vft" else 2):
        h = 1e-6 * max(abs(params[k]), 1.0)
        up, down = params.copy(), params.copy()
        up[k] += h
        down[k] -= h
        grad[k] = (function(up) - function(down)) / (2 * h)
    return grad


@dataclass(frozen=True)
class Decoupling:
    """D proportional to tau_alpha^(-xi): the Stokes-Einstein relation has xi = 1.

    Attributes
    ----------
    xi, xi_err : float
        Fitted exponent and its one-sigma error (nan with 2 points).
    points_used : int
    """

    xi: float
    xi_err: float
    points_used: int


def decoupling_exponent(tau: ArrayLike, diffusion: ArrayLike) -> Optional[Decoupling]:
    """Exponent xi of D ~ tau^-xi, by least squares of ln D against ln tau over paired temperatures.

    The errors of tau and D are not known per temperature (the correlation fix reports none), so the
    fit is unweighted and its error comes from the scatter about the line. xi < 1 is the usual
    decoupling of supercooled liquids (diffusion faster than tau_alpha predicts on cooling).

    Returns
    -------
    Decoupling or None
        None with fewer than 2 pairs with tau > 0 and D > 0 and distinct tau.
    """
    tau = np.asarray(tau, dtype=float).ravel()
    d = np.asarray(diffusion, dtype=float).ravel()
    if tau.shape != d.shape:
        raise ValueError(f"tau and diffusion must have the same length, got {tau.shape} and {d.shape}")
    keep = np.isfinite(tau) & np.isfinite(d) & (tau > 0) & (d > 0)
    x, y = np.log(tau[keep]), np.log(d[keep])
    if x.size < 2 or np.ptp(x) == 0:
        return None
    coef, cov = _weighted_polyfit(x, y, degree=1)
    return Decoupling(xi=float(-coef[0]), xi_err=float(math.sqrt(cov[0, 0])) if np.isfinite(cov[0, 0]) else float("nan"),
                      points_used=int(x.size))
